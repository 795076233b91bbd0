"""What the blog tells the rest of the project; sent by blog.services after commit."""

from django.dispatch import Signal

# kwargs: post
post_published = Signal()
# kwargs: comment
comment_created = Signal()
# kwargs: post, user, value (the new reaction, or None when taken back)
reaction_changed = Signal()
# kwargs: post (its title or text changed)
post_changed = Signal()
# kwargs: post_id
post_deleted = Signal()
# kwargs: comment (its text changed)
comment_changed = Signal()
# kwargs: comment_id, post_id
comment_deleted = Signal()
