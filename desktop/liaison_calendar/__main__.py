"""``python -m liaison_calendar`` does what the ``liaison`` command does."""

import sys

from liaison_calendar.cli import main

sys.exit(main())
