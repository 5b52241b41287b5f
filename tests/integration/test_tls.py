"""End-to-end tests of TLS and mutual TLS on hallmarkd's TCP listener
(--tls_cert, --tls_key, --tls_client_ca, --tls_reload_interval), with
certificates made by the openssl command line at test time, and the CLI's
matching --tls_* options."""
import os
import shutil
import unittest

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2, health_pb2
import pki
import texts

D = hallmark_pb2

# Every channel gets its own connection (no sharing of subchannels between
# channels in this process), so that each one makes its own handshake.
CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1)]
# Refusals are quick (a failed handshake); this only bounds a hang.
REFUSAL_TIMEOUT = 5.0


def read_text(path):
    with open(path) as f:
        return f.read()


def tls_channel(address, root_ca=None, client=None):
    """A channel trusting `root_ca` (an Authority), presenting `client` (an
    Issued certificate) if given."""
    cert_chain, key = client.read() if client is not None else (None, None)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=root_ca.read_cert() if root_ca is not None else None,
        private_key=key, certificate_chain=cert_chain)
    return grpc.secure_channel(address, credentials, options=CHANNEL_OPTIONS)


class TlsTestCase(h.HallmarkTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki_dir = cls.class_temp_dir()
        cls.ca1 = pki.Authority(cls.pki_dir, "ca1")
        cls.ca2 = pki.Authority(cls.pki_dir, "ca2")
        cls.server1 = cls.ca1.issue("server", server=True)
        cls.server2 = cls.ca2.issue("server", server=True)
        cls.client1 = cls.ca1.issue("client")
        cls.client2 = cls.ca2.issue("client")

    def mark_over(self, channel, timeout=h.RPC_TIMEOUT):
        self.addCleanup(channel.close)
        return h.hallmark_pb2_grpc.HallmarkStub(channel).MarkText(
            D.MarkTextRequest(space="tls/test", text=texts.PROSE), timeout=timeout)

    def assert_marks(self, channel):
        response = self.mark_over(channel)
        self.assertEqual(response.decision, D.DECISION_MARKED)
        self.assertEqual(texts.normalize(response.text), texts.PROSE)

    def assert_refused(self, channel):
        error = self.assert_rpc_error(grpc.StatusCode.UNAVAILABLE, self.mark_over, channel,
                                      timeout=REFUSAL_TIMEOUT)
        return error

    def tls_files(self, server=None, client_ca=None):
        """Copies of the server's certificate and key (and the client CA) in a
        directory of their own, so that a test can replace them."""
        directory = self.temp_dir()
        server = server or self.server1
        paths = {"cert": os.path.join(directory, "tls.crt"),
                 "key": os.path.join(directory, "tls.key")}
        shutil.copy(server.cert, paths["cert"])
        shutil.copy(server.key, paths["key"])
        if client_ca is not None:
            paths["client_ca"] = os.path.join(directory, "client-ca.crt")
            shutil.copy(client_ca.cert, paths["client_ca"])
        return paths

    def start_tls_daemon(self, files, extra_args=()):
        args = ["--tls_cert", files["cert"], "--tls_key", files["key"]]
        if "client_ca" in files:
            args += ["--tls_client_ca", files["client_ca"]]
        return self.start_daemon(keys=self.key_dir("k-tls"), extra_args=args + list(extra_args))


class MutualTlsTest(TlsTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        directory = cls.class_temp_dir()
        keys = os.path.join(directory, "keys")
        os.mkdir(keys, 0o700)
        h.write_key(keys, "k-mtls")
        cls.daemon = cls.start_class_daemon(
            keys=keys, extra_args=["--tls_cert", cls.server1.cert, "--tls_key", cls.server1.key,
                                   "--tls_client_ca", cls.ca1.cert])

    def test_ready_line_and_certificate_log(self):
        output = self.daemon.output()
        self.assertIn("transport=mtls", output)
        self.assertRegex(output, r"grpc transport mtls: certificate subject=\"CN=server\" "
                                 r"not_after=\"[^\"]+\" client_cas=1 reload_every=10s")

    def test_client_with_a_certificate_of_the_ca_is_served(self):
        self.assert_marks(tls_channel(self.daemon.grpc_address, self.ca1, self.client1))

    def test_health_over_mutual_tls(self):
        channel = tls_channel(self.daemon.grpc_address, self.ca1, self.client1)
        self.addCleanup(channel.close)
        response = h.health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="hallmark.v1.Hallmark"), timeout=h.RPC_TIMEOUT)
        self.assertEqual(response.status, health_pb2.HealthCheckResponse.SERVING)

    def test_client_without_a_certificate_is_refused(self):
        self.assert_refused(tls_channel(self.daemon.grpc_address, self.ca1))

    def test_client_with_a_certificate_of_another_ca_is_refused(self):
        self.assert_refused(tls_channel(self.daemon.grpc_address, self.ca1, self.client2))

    def test_plaintext_client_is_refused(self):
        channel = grpc.insecure_channel(self.daemon.grpc_address, options=CHANNEL_OPTIONS)
        self.assert_refused(channel)

    def test_client_that_does_not_trust_the_server_refuses_it(self):
        self.assert_refused(tls_channel(self.daemon.grpc_address, self.ca2, self.client1))

    def test_refused_clients_leave_the_daemon_serving(self):
        for _ in range(3):
            self.assert_refused(tls_channel(self.daemon.grpc_address, self.ca1))
        self.assert_marks(tls_channel(self.daemon.grpc_address, self.ca1, self.client1))

    def test_cli_health_with_client_certificate(self):
        result = h.run_cli(["health", "--addr", self.daemon.grpc_address,
                            "--tls_ca", self.ca1.cert, "--tls_cert", self.client1.cert,
                            "--tls_key", self.client1.key])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(b'"status":"SERVING"', result.stdout)

    def test_cli_health_without_client_certificate_is_refused(self):
        result = h.run_cli(["health", "--addr", self.daemon.grpc_address,
                            "--tls_ca", self.ca1.cert, "--timeout_ms", "3000"])
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(b'"status":"UNREACHABLE"', result.stdout)

    def test_cli_tls_options_that_do_not_go_together(self):
        result = h.run_cli(["health", "--addr", self.daemon.grpc_address,
                            "--tls_ca", self.ca1.cert, "--tls_cert", self.client1.cert])
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"--tls_cert and --tls_key go together", result.stderr)
        result = h.run_cli(["health", "--addr", "unix:/tmp/none.sock", "--tls_ca", self.ca1.cert])
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"unix sockets are plaintext", result.stderr)


class ServerOnlyTlsTest(TlsTestCase):

    def test_any_client_that_trusts_the_server_is_served(self):
        daemon = self.start_tls_daemon(self.tls_files())
        self.assertIn("transport=tls", daemon.output())
        self.assert_marks(tls_channel(daemon.grpc_address, self.ca1))
        # A client certificate is not asked for, and does no harm.
        self.assert_marks(tls_channel(daemon.grpc_address, self.ca1, self.client2))
        self.assert_refused(tls_channel(daemon.grpc_address, self.ca2))
        self.assert_refused(grpc.insecure_channel(daemon.grpc_address, options=CHANNEL_OPTIONS))
        result = h.run_cli(["health", "--addr", daemon.grpc_address, "--tls_ca", self.ca1.cert])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class CertificateReloadTest(TlsTestCase):
    """Changed files apply to new connections after the reload interval,
    without a restart. Polled with a deadline, not slept."""

    RELOAD_DEADLINE = 30.0

    def serves(self, root_ca, client):
        channel = tls_channel(self.daemon.grpc_address, root_ca, client)
        try:
            response = h.hallmark_pb2_grpc.HallmarkStub(channel).MarkText(
                D.MarkTextRequest(space="tls/test", text=texts.PROSE), timeout=REFUSAL_TIMEOUT)
            return response.decision == D.DECISION_MARKED
        except grpc.RpcError:
            return False
        finally:
            channel.close()

    def test_server_certificate_and_client_ca_are_reloaded(self):
        files = self.tls_files(self.server1, client_ca=self.ca1)
        self.daemon = self.start_tls_daemon(files, ["--tls_reload_interval", "1s"])
        self.assertTrue(self.serves(self.ca1, self.client1))
        self.assertFalse(self.serves(self.ca2, self.client1))

        # A renewed server certificate, from another CA (so the change is
        # visible to the client): each file renamed into place.
        h.replace_file(files["key"], read_text(self.server2.key))
        h.replace_file(files["cert"], read_text(self.server2.cert))
        h.wait_until(lambda: self.serves(self.ca2, self.client1), self.RELOAD_DEADLINE,
                     "the new server certificate to be used")
        self.assertFalse(self.serves(self.ca1, self.client1))

        # A new client CA: clients of the old one are refused from now on.
        h.replace_file(files["client_ca"], read_text(self.ca2.cert))
        h.wait_until(lambda: self.serves(self.ca2, self.client2), self.RELOAD_DEADLINE,
                     "clients of the new CA to be accepted")
        self.assertFalse(self.serves(self.ca2, self.client1))
        self.assertIsNone(self.daemon.process.poll())


class TlsStartupErrorTest(TlsTestCase):
    """Mistakes in the TLS settings stop the start (exit 2) with a message
    naming the flag or file."""

    def assert_refuses_to_start(self, args, message):
        code, output = self.run_daemon_to_exit(
            ["--metrics_listen", "127.0.0.1:0"] + args)
        self.assertEqual(code, 2, output)
        self.assertIn("cannot start: ", output)
        self.assertIn(message, output)

    def test_unix_socket_with_tls(self):
        path = os.path.join(self.temp_dir(), "h.sock")
        self.assert_refuses_to_start(
            ["--grpc_listen", f"unix:{path}", "--tls_cert", self.server1.cert,
             "--tls_key", self.server1.key], f"unix:{path} is a unix socket, which stays plaintext")

    def test_key_of_another_certificate(self):
        self.assert_refuses_to_start(
            ["--grpc_listen", "127.0.0.1:0", "--tls_cert", self.server1.cert,
             "--tls_key", self.server2.key],
            f"--tls_key {self.server2.key} is not the private key of the certificate in "
            f"--tls_cert {self.server1.cert}")

    def test_missing_client_ca(self):
        missing = os.path.join(self.temp_dir(), "missing.pem")
        self.assert_refuses_to_start(
            ["--grpc_listen", "127.0.0.1:0", "--tls_cert", self.server1.cert,
             "--tls_key", self.server1.key, "--tls_client_ca", missing],
            f"--tls_client_ca {missing}: cannot read")

    def test_certificate_without_key(self):
        self.assert_refuses_to_start(
            ["--grpc_listen", "127.0.0.1:0", "--tls_cert", self.server1.cert],
            "TLS needs --tls_key")

    def test_key_file_as_certificate(self):
        self.assert_refuses_to_start(
            ["--grpc_listen", "127.0.0.1:0", "--tls_cert", self.server1.key,
             "--tls_key", self.server1.key], "no PEM certificate")


if __name__ == "__main__":
    unittest.main()
