"""Listens to what `blog` and `shop` signal and turns it into notifications."""
