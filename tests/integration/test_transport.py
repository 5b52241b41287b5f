"""End-to-end tests of hallmarkd's transports: the unix domain socket
listener (--grpc_listen unix:/path) and its file mode (--unix_socket_mode)."""
import os
import stat
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


if __name__ == "__main__":
    unittest.main()
