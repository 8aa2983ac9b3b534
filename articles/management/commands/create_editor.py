"""`manage.py create_editor USERNAME`: make (or update) a staff login in the Editors group.

The password comes from, in this order: `--password`; standard input with `--password-stdin`
or whenever standard input is not a terminal (`printf '%s\n' "$PW" | manage.py create_editor
maria`: its first line); otherwise it is asked for, twice, on the terminal, and asked again while
the two differ or the password validators refuse it.
"""

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
        "Annotators group with --annotator. The password comes from --password, from standard "
        "input (--password-stdin, or whenever standard input is not a terminal: its first "
        "line), or is asked for on the terminal until it is strong enough; an existing user "
        "keeps theirs unless one is given."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", help="Set the user's email address.")
        parser.add_argument("--password", help="Set this password (visible to other users).")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        parser.add_argument(
            "--annotator",
            action="store_true",
            help="Put the user in the Annotators group instead of Editors.",
        )

    def handle(self, *args, username, email, password, password_stdin, annotator, **options):
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

        stdin = options.get("stdin", sys.stdin)
        interactive = hasattr(stdin, "isatty") and stdin.isatty()
        if password is None and (password_stdin or (created and not interactive)):
            password = self.read_password(stdin)
        elif password is None and created:
            password = self.prompt_password(user)
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

    def read_password(self, stdin) -> str:
        """The first line of standard input, without its line ending."""
        line = stdin.readline() if hasattr(stdin, "readline") else ""
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError(
                "No password on standard input: pipe one in (its first line), pass --password, "
                "or run the command in a terminal to be asked."
            )
        return password

    def prompt_password(self, user, attempts: int = 5) -> str:
        """Ask on the terminal, twice each time, until the password is usable."""
        for _ in range(attempts):
            password = getpass.getpass("Password: ")
            if not password:
                self.stderr.write("The password cannot be empty. Try again.")
                continue
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ. Try again.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages) + " Try another.")
                continue
            return password
        raise CommandError(f"No usable password after {attempts} tries.")
