"""A loopback TCP server for tests that connect somewhere: it runs in a
thread, takes every connection, answers with `reply` when one is given (an
HTTP response, or "exit" for a shell that connected back) and closes it.
Only ever bound to a loopback address."""

import socket
import threading
import time


class Listener:
    def __init__(self, family=socket.AF_INET, addr="127.0.0.1", reply=None, backlog=16):
        self.sock = socket.socket(family)
        self.sock.bind((addr, 0))
        self.sock.listen(backlog)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            if self.reply is not None:
                self.answer(c)
            c.close()

    def answer(self, c):
        try:
            c.settimeout(2)
            if self.reply.startswith(b"HTTP"):
                c.recv(4096)
            c.sendall(self.reply)
            time.sleep(0.2)
        except OSError:
            pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()
