# Runs inside MicroPython: the firmware's own power-on self-test with the harness's pure-Python AES.
import sys

from firmware import selftest
from pure_aes import PureAES

print("IMPLEMENTATION", sys.implementation.name, ".".join([str(v) for v in sys.implementation.version[:3]]))
passed, detail = selftest.run(PureAES())
print("SELFTEST", "PASS" if passed else "FAIL", detail)
