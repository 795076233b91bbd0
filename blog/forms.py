from django import forms
from django.utils.translation import gettext_lazy as _

from blog.models import Comment, Post
from blog.selectors import Ordering


class PostForm(forms.ModelForm):
    """Validates a post's fields; blog.services saves them."""

    class Meta:
        model = Post
        fields = ["title", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 14})}


class CommentForm(forms.ModelForm):
    """Validates a comment's text; blog.services saves it."""

    class Meta:
        model = Comment
        fields = ["content"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3, "placeholder": _("Write a comment…")})
        }


class PostFilterForm(forms.Form):
    """The list's search, author filter and ordering, read from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    author = forms.CharField(label=_("Author"), required=False, max_length=150)
    ordering = forms.ChoiceField(label=_("Order by"), required=False, choices=Ordering.choices)

    def values(self) -> dict[str, str]:
        """Clean values, with anything malformed ignored rather than refused."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "author": data.get("author") or "",
            "ordering": data.get("ordering") or Ordering.NEW,
        }
