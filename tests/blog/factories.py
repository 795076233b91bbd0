"""Factories for the blog's models; users come from tests.factories."""

import factory

from blog import services
from blog.models import Comment, Post, Reaction
from tests.factories import UserFactory


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Post number {n}")
    content = factory.Faker("paragraph")


class CountedFactory(factory.django.DjangoModelFactory):
    """Rows made straight in the database; the post's stored counts are recounted after."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        services.post_counts_refresh(post_ids=[obj.post_id])
        return obj


class CommentFactory(CountedFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    content = factory.Faker("sentence")


class ReactionFactory(CountedFactory):
    class Meta:
        model = Reaction

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)
    value = Reaction.Value.LIKE
