"""The firmware's run loop: host link on UART 1, card reader and keypad (line protocol) on UART 2.

Prompts go to the display, which the simulated board shows as ``DISPLAY <text>`` lines on UART 2.
"""

from . import hw
from .device import PinPad
from .link import Link


class LineReader:
    def __init__(self, port):
        self._port = port
        self._buf = b""

    def poll(self):
        data = self._port.read()
        if data:
            self._buf += data
        lines = []
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            try:
                lines.append(line.decode())
            except UnicodeError:
                continue  # reader noise is dropped
        if len(self._buf) > 4096:
            self._buf = b""
        return lines


def run(flash="/flash", host_uart=1, reader_uart=2):
    reader_port = hw.Port(reader_uart)

    def display(text):
        reader_port.write(b"DISPLAY " + text.encode() + b"\n")

    aes = hw.CryptolibAES()
    pad = PinPad(aes, hw.Flash(flash), hw.random_bytes, display)
    link = Link(hw.Port(host_uart), hw.now_ms, diff=hw.ticks_diff)
    reader = LineReader(reader_port)
    display("READY")
    while True:
        busy = False
        # the customer's card and keys first: what already happened at the pad outranks a
        # host request (e.g. a cancel) that arrives in the same instant
        for line in reader.poll():
            busy = True
            for kind, fields in pad.reader(line):
                link.send(kind, fields)
        for item in link.poll():
            busy = True
            if item[0] == "msg":
                replies = pad.request(item[1], item[2])
            else:
                replies = pad.bad_message(item[1], item[2])
            for kind, fields in replies:
                link.send(kind, fields)
        if not busy:
            hw.sleep_ms(2)
