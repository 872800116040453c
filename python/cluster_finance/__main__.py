import sys

from cluster_finance.cli import main

sys.exit(main())
