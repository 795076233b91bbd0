"""The same list as Agora's `GET /api/posts/`, twice more: DRF, and a raw `.values()`."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, JsonResponse
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination

from blog import selectors
from blog.models import Post


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, obj) -> str:
        try:
            return obj.profile.name
        except ObjectDoesNotExist:
            return obj.get_username()


class PostSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    like_count = serializers.IntegerField()
    dislike_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    my_reaction = serializers.CharField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Post
        fields = [
            "id",
            "title",
            "content",
            "author",
            "created",
            "updated",
            "like_count",
            "dislike_count",
            "comment_count",
            "my_reaction",
            "url",
        ]


class Page(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class PostList(ListAPIView):
    serializer_class = PostSerializer
    pagination_class = Page

    def get_queryset(self):
        return selectors.post_list(user=self.request.user).select_related("author__profile")


FIELDS = (
    "id",
    "title",
    "content",
    "created",
    "updated",
    "like_count",
    "dislike_count",
    "comment_count",
    "my_reaction",
    "author_id",
    "author__username",
    "author__profile__display_name",
)


def raw_posts(request: HttpRequest) -> JsonResponse:
    posts = selectors.post_list(user=request.user)
    rows = list(posts.values(*FIELDS)[:20])
    return JsonResponse({"count": posts.count(), "next": None, "previous": None, "results": rows})
