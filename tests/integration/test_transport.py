"""End-to-end tests of hallmarkd's transports: the unix domain socket
listener (--grpc_listen unix:/path), its file mode (--unix_socket_mode) and
group (--unix_socket_group), and that they decide who may connect. (TLS on
TCP listeners: test_tls.py.)"""
import os
import shutil
import stat
import subprocess
import unittest

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2
import texts

D = hallmark_pb2


class UnixSocketTest(h.HallmarkTestCase):

    def start_on_socket(self, *extra_args):
        path = os.path.join(self.temp_dir(), "hallmark.sock")
        daemon = self.start_daemon(keys=self.key_dir("k-unix"),
                                   extra_args=("--grpc_listen", f"unix:{path}") + extra_args)
        self.assertEqual(daemon.grpc_address, f"unix:{path}")
        return daemon, path

    def assert_marks_over(self, daemon):
        channel = grpc.insecure_channel(daemon.grpc_address)
        self.addCleanup(channel.close)
        response = h.hallmark_pb2_grpc.HallmarkStub(channel).MarkText(
            D.MarkTextRequest(space="unix/test", text=texts.PROSE), timeout=h.RPC_TIMEOUT)
        self.assertEqual(response.decision, D.DECISION_MARKED)
        self.assertEqual(response.key_id, "k-unix")
        self.assertEqual(texts.normalize(response.text), texts.PROSE)

    def test_default_mode_is_0660_and_marking_works(self):
        daemon, path = self.start_on_socket()
        info = os.stat(path)
        self.assertTrue(stat.S_ISSOCK(info.st_mode))
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o660)
        self.assert_marks_over(daemon)

    def test_mode_flag(self):
        daemon, path = self.start_on_socket("--unix_socket_mode", "0600")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assert_marks_over(daemon)

    def test_invalid_mode_refuses_to_start(self):
        path = os.path.join(self.temp_dir(), "hallmark.sock")
        code, output = self.run_daemon_to_exit(
            ["--grpc_listen", f"unix:{path}", "--metrics_listen", "127.0.0.1:0",
             "--unix_socket_mode", "0999"])
        self.assertEqual(code, 2, output)
        self.assertIn("--unix_socket_mode", output)
        self.assertFalse(os.path.exists(path))

    def test_group_flag(self):
        # Root may give the file any group; others only one of their own.
        gid = 4242 if os.geteuid() == 0 else os.getegid()
        daemon, path = self.start_on_socket("--unix_socket_group", str(gid))
        info = os.stat(path)
        self.assertEqual(info.st_gid, gid)
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o660)
        self.assert_marks_over(daemon)

    def test_unknown_group_refuses_to_start(self):
        path = os.path.join(self.temp_dir(), "hallmark.sock")
        code, output = self.run_daemon_to_exit(
            ["--grpc_listen", f"unix:{path}", "--metrics_listen", "127.0.0.1:0",
             "--unix_socket_group", "no-such-group-hallmark"])
        self.assertEqual(code, 2, output)
        self.assertIn('--unix_socket_group: no group named "no-such-group-hallmark"', output)


NOBODY = 65534  # uid and gid of nobody / nogroup


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"),
                     "needs root and setpriv to run a client as another user")
class SocketPermissionTest(h.HallmarkTestCase):
    """The mode and group decide who may connect: `hallmark health` run as
    nobody (uid and gid 65534) against sockets of different settings."""

    def setUp(self):
        super().setUp()
        if self.health_as_nobody("--version").returncode != 0:
            self.skipTest(f"nobody cannot run {h.HALLMARK_CLI} (a directory on its path is "
                          f"closed to other users)")

    def health_as_nobody(self, *args):
        return subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
             h.HALLMARK_CLI] + list(args), capture_output=True, timeout=30)

    def socket_for(self, *extra_args):
        directory = self.temp_dir()
        os.chmod(directory, 0o711)  # others may pass through, not list
        path = os.path.join(directory, "hallmark.sock")
        self.start_daemon(keys=self.key_dir("k-perm"),
                          extra_args=("--grpc_listen", f"unix:{path}") + extra_args)
        return f"unix:{path}"

    def assert_nobody_connects(self, address, allowed):
        result = self.health_as_nobody("health", "--addr", address, "--timeout_ms", "3000")
        output = result.stdout + result.stderr
        if allowed:
            self.assertEqual(result.returncode, 0, output)
            self.assertIn(b'"status":"SERVING"', result.stdout)
        else:
            self.assertEqual(result.returncode, 1, output)
            self.assertIn(b'"status":"UNREACHABLE"', result.stdout)

    def test_default_mode_keeps_others_out(self):
        self.assert_nobody_connects(self.socket_for(), allowed=False)

    def test_group_lets_its_members_in(self):
        self.assert_nobody_connects(self.socket_for("--unix_socket_group", str(NOBODY)),
                                    allowed=True)

    def test_mode_0600_keeps_the_group_out(self):
        address = self.socket_for("--unix_socket_group", str(NOBODY), "--unix_socket_mode", "0600")
        self.assert_nobody_connects(address, allowed=False)


if __name__ == "__main__":
    unittest.main()
