"""`manage.py create_editor USERNAME`: make (or update) a staff login in the Editors group."""

import getpass
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

EDITORS = "Editors"
ANNOTATORS = "Annotators"


class Command(BaseCommand):
    help = (
        "Create or update a staff (not superuser) login in the Editors group, or in the "
        "Annotators group with --annotator. Prompts for a new user's password unless --password "
        "is given; an existing user keeps theirs unless --password is given."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", help="Set the user's email address.")
        parser.add_argument("--password", help="Set this password (otherwise prompted for).")
        parser.add_argument(
            "--annotator",
            action="store_true",
            help="Put the user in the Annotators group instead of Editors.",
        )

    def handle(self, *args, username, email, password, annotator, **options):
        group_name, other_group_name = (ANNOTATORS, EDITORS) if annotator else (EDITORS, ANNOTATORS)
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist:
            raise CommandError(
                f"There is no {group_name} group; run `manage.py migrate` first."
            ) from None

        User = get_user_model()
        try:
            User._meta.get_field(User.USERNAME_FIELD).run_validators(username)
        except ValidationError as error:
            raise CommandError(f"Invalid username: {' '.join(error.messages)}") from None

        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        created = user is None
        if created:
            user = User(**{User.USERNAME_FIELD: username})
        elif user.is_superuser:
            raise CommandError(f"{username} is a superuser; leaving them as they are.")
        if email is not None:
            user.email = User.objects.normalize_email(email)
        user.is_staff = True
        user.is_active = True

        if password is None and created:
            password = self.prompt_password(options.get("stdin", sys.stdin))
        if password is not None:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            user.set_password(password)

        with transaction.atomic():
            user.save()
            user.groups.add(group)
            user.groups.remove(*Group.objects.filter(name=other_group_name))

        verb = "Created" if created else "Updated"
        note = "" if password is not None else " (password unchanged)"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} staff user {username} in the {group_name} group{note}.")
        )

    def prompt_password(self, stdin) -> str:
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            raise CommandError("No --password given and no terminal to ask for one on.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password cannot be empty.")
        return password
