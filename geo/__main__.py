from geo.cli import main
import sys

sys.exit(main())
