# Makes test/python importable for `python3 -m unittest discover -s test/python -t .`.
