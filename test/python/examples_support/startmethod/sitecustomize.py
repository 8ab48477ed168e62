# Test helper, on PYTHONPATH only for the examples' start-method matrix (never with the tracer):
# makes PV_TEST_START_METHOD the default start method of every Python process of the run, the
# way Python 3.14 makes forkserver the default, without editing the examples.
import os

_method = os.environ.get('PV_TEST_START_METHOD')
if _method:
    import multiprocessing
    multiprocessing.set_start_method(_method, force=True)
