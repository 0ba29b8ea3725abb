import sys

from dih_dash.cli import main

sys.exit(main())
