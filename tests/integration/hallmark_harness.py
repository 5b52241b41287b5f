"""Shared machinery of the end-to-end tests.

- the binaries and generated stubs, from the environment CTest sets
  (HALLMARKD, HALLMARK_CLI, HALLMARK_PYSTUBS, HALLMARK_SOURCE_DIR);
- `Daemon`: a real hallmarkd on loopback ports chosen at run time, its whole
  output kept, stopped by PID (SIGTERM, then SIGKILL after a timeout);
- `HallmarkTestCase`: temp dirs, policy and key files, daemons cleaned up
  whatever happens, the daemons' output printed when a test fails;
- Prometheus text-format parsing and polling with deadlines (no fixed sleeps).
"""
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            f"{name} is not set. Run these tests through CTest "
            f"(ctest --test-dir BUILD -L integration), which sets HALLMARKD, HALLMARK_CLI, "
            f"HALLMARK_PYSTUBS and HALLMARK_SOURCE_DIR.")
    return value


HALLMARKD = _required_env("HALLMARKD")
HALLMARK_CLI = _required_env("HALLMARK_CLI")
PYSTUBS = _required_env("HALLMARK_PYSTUBS")
SOURCE_DIR = _required_env("HALLMARK_SOURCE_DIR")

sys.path.insert(0, PYSTUBS)
import grpc  # noqa: E402
from hallmark.v1 import config_pb2, hallmark_pb2, hallmark_pb2_grpc  # noqa: E402,F401
import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402
import reflection_pb2  # noqa: E402,F401
import reflection_pb2_grpc  # noqa: E402,F401

# How long a daemon may take to print its ready line, and to exit.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
# A generous deadline for a single RPC on a loaded 2-core machine.
RPC_TIMEOUT = 10.0

READY_RE = re.compile(
    r"INFO hallmarkd ready version=(?P<version>\S+) grpc=(?P<grpc>\S+) "
    r"metrics=(?P<metrics>\S+) policy=\"(?P<policy>[^\"]*)\" keys=(?P<keys>\d+) "
    r"active_key=(?P<active_key>\S+)")


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls `predicate` until it returns a truthy value, which is returned.

    Raises AssertionError naming `what` after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # the condition may not be checkable yet
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def write_key(directory, key_id):
    """Writes a random 32-byte key as 64 hex digits to directory/key_id (0600)."""
    path = os.path.join(directory, key_id)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
    return path


# --- Prometheus text format -------------------------------------------------

_SAMPLE_RE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})?\s+(?P<value>\S+)(?:\s+\d+)?$")
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*')


def parse_metrics(text):
    """Parses the exposition format into [(name, {label: value}, float)]."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE_RE.match(line)
        if match is None:
            raise ValueError(f"unparsable metrics line: {line!r}")
        labels = {}
        body = match.group("labels") or ""
        pos = 0
        while pos < len(body):
            label = _LABEL_RE.match(body, pos)
            if label is None:
                raise ValueError(f"unparsable labels in: {line!r}")
            labels[label.group(1)] = (label.group(2).replace('\\"', '"')
                                      .replace("\\n", "\n").replace("\\\\", "\\"))
            pos = label.end()
        samples.append((match.group("name"), labels, float(match.group("value"))))
    return samples


def select(samples, name, **labels):
    """The samples named `name` whose labels include `labels`."""
    return [s for s in samples
            if s[0] == name and all(s[1].get(k) == v for k, v in labels.items())]


def metric_sum(samples, name, **labels):
    return sum(s[2] for s in select(samples, name, **labels))


# --- the daemon ---------------------------------------------------------------


class Daemon:
    """One hallmarkd process started by a test, with its output kept."""

    def __init__(self, args, name="hallmarkd"):
        self.name = name
        self.args = [HALLMARKD] + list(args)
        self.process = None
        self.ready = None
        self._lines = []
        self._cond = threading.Condition()
        self._reader = None
        self._channel = None

    # Output

    def _read_output(self):
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._lines.append(None)  # end of output
            self._cond.notify_all()

    def output(self):
        with self._cond:
            return "\n".join(l for l in self._lines if l is not None)

    def line_count(self):
        with self._cond:
            return len([l for l in self._lines if l is not None])

    def wait_for_line(self, pattern, timeout=START_TIMEOUT, start=0):
        """Waits for an output line (from line index `start`) matching `pattern`.

        Returns the match; fails if the process ends or the deadline passes.
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        index = start
        with self._cond:
            while True:
                while index < len(self._lines):
                    line = self._lines[index]
                    if line is None:
                        raise AssertionError(
                            f"{self.name} ended (exit code {self.process.poll()}) before printing "
                            f"a line matching {pattern!r}; its output:\n{self.output_unlocked()}")
                    match = regex.search(line)
                    if match:
                        return match
                    index += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{self.name} printed no line matching {pattern!r} within {timeout:.0f} s; "
                        f"its output:\n{self.output_unlocked()}")
                self._cond.wait(remaining)

    def output_unlocked(self):
        return "\n".join(l for l in self._lines if l is not None)

    # Life cycle

    def start(self, wait_ready=True):
        # setpriv --pdeathsig: the daemon dies with the test process even if
        # that is killed (a CTest timeout), so no daemon outlives its test.
        command = ["setpriv", "--pdeathsig", "KILL", "--"] + self.args
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        if wait_ready:
            match = self.wait_for_line(READY_RE.pattern)
            self.ready = match.groupdict()
        return self

    @property
    def pid(self):
        return self.process.pid

    @property
    def grpc_address(self):
        return self.ready["grpc"]

    @property
    def metrics_url(self):
        return self.ready["metrics"]

    @property
    def metrics_address(self):
        return self.metrics_url[len("http://"):-len("/metrics")]

    def channel(self):
        if self._channel is None:
            self._channel = grpc.insecure_channel(self.grpc_address)
        return self._channel

    def stub(self):
        return hallmark_pb2_grpc.HallmarkStub(self.channel())

    def health_stub(self):
        return health_pb2_grpc.HealthStub(self.channel())

    def metrics(self):
        return parse_metrics(http_get(self.metrics_url))

    def send_signal(self, sig):
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)

    def wait_exit(self, timeout=STOP_TIMEOUT):
        """Waits for the process to end; returns its exit code (None on timeout)."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if self._reader is not None:
            self._reader.join(5)
        return code

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT. Returns the exit code."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.send_signal(signal.SIGTERM)
            if self.wait_exit(STOP_TIMEOUT) is None:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def replace_file(path, content):
    """Writes `content` to `path` atomically (as a ConfigMap update does)."""
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        f.write(content)
    os.replace(temporary, path)
    return path


class BidiStream:
    """A MarkTextStream call driven request by request.

    Requests go through a queue the gRPC request iterator reads; a thread puts
    each response (and the end or the error) on another queue, so a test can
    wait for the reply to one delta, with a deadline, before sending the next.
    """

    def __init__(self, stub, timeout=60.0):
        self._requests = queue.Queue()
        self._events = queue.Queue()
        self.call = stub.MarkTextStream(self._request_iterator(), timeout=timeout)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _request_iterator(self):
        while True:
            request = self._requests.get()
            if request is None:
                return
            yield request

    def _read(self):
        try:
            for response in self.call:
                self._events.put(("response", response))
            self._events.put(("end", None))
        except grpc.RpcError as error:
            self._events.put(("error", error))

    def send(self, delta, space=None):
        request = hallmark_pb2.MarkTextStreamRequest(delta=delta)
        if space is not None:
            request.space = space
        self._requests.put(request)

    def close(self):
        """Half-closes: no more requests."""
        self._requests.put(None)

    def cancel(self):
        """Cancels the call, then ends the request iterator (whose thread
        would otherwise wait for ever). In the other order grpcio may
        half-close first, and the server would rightly see a finished
        stream rather than an abandoned one."""
        self.call.cancel()
        self._requests.put(None)

    def next_event(self, timeout=RPC_TIMEOUT, what="a stream response"):
        """("response", r), ("end", None) or ("error", RpcError); fails after `timeout`."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {what} within {timeout:.0f} s") from None

    def pending(self):
        """Events received and not yet taken, without waiting."""
        events = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    def finish(self, timeout=RPC_TIMEOUT * 3):
        """Closes and reads to the end: (responses, error or None)."""
        self.close()
        responses = []
        while True:
            kind, value = self.next_event(timeout, "end of the stream")
            if kind == "response":
                responses.append(value)
            elif kind == "end":
                return responses, None
            else:
                return responses, value


def daemon_args(policy, keys, extra_args, shutdown_grace):
    """hallmarkd flags for loopback ports picked by the kernel."""
    args = ["--grpc_listen", "127.0.0.1:0", "--metrics_listen", "127.0.0.1:0",
            "--shutdown_grace", shutdown_grace]
    if policy is not None:
        args += ["--policy", policy]
    if keys is not None:
        args += ["--keys", keys]
    return args + list(extra_args)


def run_cli(args, input_bytes=None, timeout=60.0):
    """Runs `hallmark ARGS`; returns the CompletedProcess (stdout/stderr as bytes)."""
    return subprocess.run([HALLMARK_CLI] + list(args), input=input_bytes, capture_output=True,
                          timeout=timeout)


class HallmarkTestCase(unittest.TestCase):
    """Base class: temp dirs and daemons that are always cleaned up."""

    _class_daemons = ()

    def setUp(self):
        super().setUp()
        self._problems_at_start = self._problem_count()
        # A failing test also shows the output of the daemons its class shares.
        for daemon in self._class_daemons:
            self.addCleanup(self._report_output, daemon)

    @classmethod
    def start_class_daemon(cls, policy=None, keys=None, extra_args=(), name="hallmarkd"):
        """Like start_daemon, for a daemon that the tests of a class share."""
        daemon = Daemon(daemon_args(policy, keys, extra_args, "5s"), name=name)
        cls._class_daemons = tuple(cls._class_daemons) + (daemon,)
        cls.addClassCleanup(daemon.stop)
        try:
            daemon.start()
        except AssertionError:
            daemon.stop()
            raise
        return daemon

    @classmethod
    def start_class_daemon_with(cls, policy_yaml, key_id, extra_args=()):
        """A shared daemon with `policy_yaml` and a key directory holding one
        key, `key_id` (none when `key_id` is None), plus `extra_args`.
        Returns (daemon, policy path, key directory)."""
        directory = cls.class_temp_dir()
        policy = os.path.join(directory, "policy.yaml")
        with open(policy, "w") as f:
            f.write(policy_yaml)
        keys = None
        if key_id is not None:
            keys = os.path.join(directory, "keys")
            os.mkdir(keys, 0o700)
            write_key(keys, key_id)
        daemon = cls.start_class_daemon(policy=policy, keys=keys, extra_args=extra_args)
        return daemon, policy, keys

    @classmethod
    def class_temp_dir(cls):
        path = tempfile.mkdtemp(prefix="hallmark-e2e-")
        cls.addClassCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def temp_dir(self):
        path = tempfile.mkdtemp(prefix="hallmark-e2e-")
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def write_file(self, directory, name, content):
        path = os.path.join(directory, name)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content)
        return path

    def key_dir(self, *key_ids):
        directory = self.temp_dir()
        for key_id in key_ids:
            write_key(directory, key_id)
        return directory

    def start_daemon(self, policy=None, keys=None, extra_args=(), name="hallmarkd",
                     shutdown_grace="5s"):
        """Starts hallmarkd on 127.0.0.1 ports picked by the kernel; waits until ready."""
        daemon = Daemon(daemon_args(policy, keys, extra_args, shutdown_grace), name=name)
        # Cleanups run last-in first-out: the output report runs after stop.
        self.addCleanup(self._report_output, daemon)
        self.addCleanup(daemon.stop)
        daemon.start()
        return daemon

    def run_daemon_to_exit(self, args, timeout=START_TIMEOUT):
        """Runs hallmarkd expecting it to exit by itself; returns (code, output)."""
        daemon = Daemon(list(args))
        self.addCleanup(self._report_output, daemon)
        self.addCleanup(daemon.stop)
        daemon.start(wait_ready=False)
        code = daemon.wait_exit(timeout)
        self.assertIsNotNone(code, f"hallmarkd did not exit within {timeout} s:\n{daemon.output()}")
        return code, daemon.output()

    def _problem_count(self):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None or not hasattr(result, "failures"):
            return None
        return len(result.failures) + len(result.errors)

    def _test_failed(self):
        """Whether this test has failed so far (for the cleanups' reports)."""
        count = self._problem_count()
        start = getattr(self, "_problems_at_start", None)
        if count is None or start is None:
            return True  # unknown: better print too much than nothing
        return count > start

    def _report_output(self, daemon):
        if self._test_failed():
            sys.stderr.write(
                f"\n----- {daemon.name} {' '.join(daemon.args[1:])} (pid "
                f"{daemon.process.pid if daemon.process else '-'}, exit code "
                f"{daemon.process.returncode if daemon.process else '-'}) -----\n"
                f"{daemon.output()}\n----- end of {daemon.name} output -----\n")

    # gRPC helpers

    def mark(self, daemon, space, text, **kwargs):
        request = hallmark_pb2.MarkTextRequest(space=space, text=text, **kwargs)
        return daemon.stub().MarkText(request, timeout=RPC_TIMEOUT)

    def detect(self, daemon, text):
        return daemon.stub().Detect(hallmark_pb2.DetectRequest(text=text), timeout=RPC_TIMEOUT)

    def assert_rpc_error(self, code, call, *args, **kwargs):
        """Runs call(*args, **kwargs) expecting a gRPC error with `code`; returns it."""
        with self.assertRaises(grpc.RpcError) as caught:
            call(*args, **kwargs)
        error = caught.exception
        self.assertEqual(error.code(), code, f"details: {error.details()}")
        return error


def trailing_metadata(error):
    """The trailing metadata of a failed call as a dict."""
    return dict(error.trailing_metadata() or ())
