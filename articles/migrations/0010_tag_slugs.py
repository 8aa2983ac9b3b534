"""Every tag gets a usable slug: tags saved before `Tag.slugify` knew names without slug
characters ("🙂", "!!!") have an empty one, which no URL can hold, and a slug restored from a
file may hold characters a URL path cannot ("/"). Those tags get the slug a new tag of the same
name would (`tag_slugs.tag_slug`), numbered past any slug already taken; then the database
refuses an empty slug from now on.
"""

from django.db import migrations, models

from articles.text.slugs import is_usable, tag_slug


def give_every_tag_a_usable_slug(apps, schema_editor):
    Tag = apps.get_model("articles", "Tag")
    max_length = Tag._meta.get_field("slug").max_length
    taken = set(Tag.objects.values_list("slug", flat=True))
    for tag in Tag.objects.order_by("pk"):
        if is_usable(tag.slug):
            continue
        taken.discard(tag.slug)
        slug, number = tag_slug(tag.name, max_length=max_length), 0
        while slug in taken:
            number += 1
            slug = tag_slug(tag.name, number=number, max_length=max_length)
        taken.add(slug)
        Tag.objects.filter(pk=tag.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_reply_edits"),
    ]

    operations = [
        migrations.RunPython(give_every_tag_a_usable_slug, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=models.Q(("slug", ""), _negated=True), name="tag_slug_not_empty"
            ),
        ),
    ]
