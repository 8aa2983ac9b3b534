"""Purges for the rows Django's own admin saves without a service of ours: sections, authors
and their profiles on other networks.

Signals rather than explicit calls because those admins are Django's plain `ModelAdmin`: every
save and delete they make goes through `post_save`/`post_delete`, whatever screen or bulk
action did it. Every other write that readers see calls `content_changed` itself.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.models import Author, Section, SocialProfile


@receiver(post_save, sender=Section, dispatch_uid="newsroom-purge-section-saved")
@receiver(post_delete, sender=Section, dispatch_uid="newsroom-purge-section-deleted")
def section_changed(sender, instance: Section, using, **kwargs) -> None:
    """Its name, description or place is on its pages and in every page's menu."""
    content_changed([keys.section(instance.pk), keys.SECTION_MENU], using=using)


@receiver(post_save, sender=Author, dispatch_uid="newsroom-purge-author-saved")
@receiver(post_delete, sender=Author, dispatch_uid="newsroom-purge-author-deleted")
def author_changed(sender, instance: Author, using, **kwargs) -> None:
    content_changed([keys.author(instance.pk)], using=using)


@receiver(post_save, sender=SocialProfile, dispatch_uid="newsroom-purge-profile-saved")
@receiver(post_delete, sender=SocialProfile, dispatch_uid="newsroom-purge-profile-deleted")
def social_profile_changed(sender, instance: SocialProfile, using, **kwargs) -> None:
    """Profiles are listed on their author's page."""
    content_changed([keys.author(instance.author_id)], using=using)
