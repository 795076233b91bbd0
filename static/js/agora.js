// Agora's own script: small, loaded with the CSP nonce, no inline handlers anywhere.
