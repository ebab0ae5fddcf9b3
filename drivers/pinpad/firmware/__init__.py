"""PIN-pad firmware (MicroPython). Only ``hw`` touches ``machine``/``cryptolib``; every other module
is plain MicroPython-subset Python, so the host driver shares ``wire`` and tests run the rest in-process.
"""
