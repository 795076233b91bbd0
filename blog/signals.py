"""What the blog tells the rest of the project; sent by blog.services after commit."""

from django.dispatch import Signal

# kwargs: post
post_published = Signal()
# kwargs: comment
comment_created = Signal()
# kwargs: post, user, value (the new reaction, or None when taken back)
reaction_changed = Signal()
