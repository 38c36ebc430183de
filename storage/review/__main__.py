"""python -m storage.review: the staff review in the browser (what `make review` runs)."""

import sys

from storage.review import main

sys.exit(main(sys.argv[1:]))
