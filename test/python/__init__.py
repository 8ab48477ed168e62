# Python tests (unittest, stdlib only): the tracer, the analyzer and the examples.
