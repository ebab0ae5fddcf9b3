"""CPython stand-ins for the board (machine, cryptolib) and the launcher that runs the firmware on ptys."""
