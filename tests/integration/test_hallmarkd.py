"""End-to-end tests of hallmarkd's unary API, health, reflection, keys,
reloads, start-up errors and graceful shutdown, through an independent
Python gRPC client."""
import os
import re
import secrets
import signal
import threading
import time
import unittest

from google.protobuf import descriptor_pb2

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2, config_pb2, health_pb2
import texts

D = hallmark_pb2
MODE = config_pb2

# Every Space in its own mode, plus a small text limit; "someone/else" is
# not named and gets `default` (mode mark, budget 1000 ms).
POLICY = """\
# End-to-end test policy.
default:
  mode: mark
  budget_ms: 1000
  text: { scheme: unicode }
spaces:
  "e2e/off":     { mode: off }
  "e2e/shadow":  { mode: shadow }
  "e2e/mark":    { mode: mark, budget_ms: 900 }
  "e2e/enforce": { mode: enforce }
  "e2e/small":   { mode: mark, text: { max_bytes: 64 } }
"""

UNNAMED = "someone/else"
HEX14 = re.compile(r"^[0-9a-f]{14}$")


def current_hour_starts(before, after):
    """The hour starts (Unix seconds) a mark made between the two times may carry."""
    return {int(before) // 3600 * 3600, int(after) // 3600 * 3600}


class ModesAndDetectTest(h.HallmarkTestCase):
    """One daemon with a key directory and POLICY, shared by the tests."""

    @classmethod
    def setUpClass(cls):
        cls.daemon, cls.policy_path, cls.keys = cls.start_class_daemon_with(POLICY, "e2e-key-1")

    # --- helpers

    def assert_marked(self, response, space, original):
        self.assertEqual(response.decision, D.DECISION_MARKED)
        self.assertEqual(response.reason, D.REASON_UNSPECIFIED)
        self.assertNotEqual(response.text, original, "MARKED text must differ from the input")
        self.assertEqual(texts.normalize(response.text), original,
                         "marking may only turn U+0020 into U+2004/U+2005/U+2008")
        self.assertGreater(texts.changed_spaces(response.text), 0)
        self.assert_payload(response, space)

    def assert_payload(self, response, space):
        self.assertRegex(response.payload_id, HEX14)
        self.assertEqual(response.key_id, "e2e-key-1")
        self.assertEqual(response.scheme, "unicode")
        fields = texts.decode_payload_id(response.payload_id)
        self.assertEqual(fields["key_tag"], texts.key_tag("e2e-key-1"))
        self.assertEqual(fields["space_tag"], texts.space_tag(space))
        hour = (int(time.time()) - texts.PAYLOAD_EPOCH) // 3600
        self.assertIn(fields["hour"], (hour - 1, hour))
        self.assertGreaterEqual(response.carriers, response.carriers_needed)
        self.assertGreaterEqual(response.carriers_needed, 79)

    def assert_original(self, response, original, decision, reason):
        self.assertEqual(D.Decision.Name(response.decision), D.Decision.Name(decision))
        self.assertEqual(D.Reason.Name(response.reason), D.Reason.Name(reason))
        self.assertEqual(response.text, original, "the original must come back byte for byte")
        self.assertEqual(response.scheme, "unicode")

    def assert_timing(self, response, budget_ms):
        self.assertGreaterEqual(response.server_micros, 0)
        self.assertLess(response.server_micros, budget_ms * 1000)

    def assert_blocked(self, space, text):
        error = self.assert_rpc_error(grpc.StatusCode.FAILED_PRECONDITION, self.mark,
                                      self.daemon, space, text)
        metadata = h.trailing_metadata(error)
        self.assertEqual(metadata.get("hallmark-decision"), "DECISION_BLOCKED", metadata)
        self.assertEqual(metadata.get("hallmark-reason"), "REASON_TOO_SHORT", metadata)
        return error

    # --- every mode, long and short text

    def test_mode_off_long_and_short(self):
        for text in (texts.PROSE, texts.SHORT):
            with self.subTest(length=len(text)):
                response = self.mark(self.daemon, "e2e/off", text)
                self.assert_original(response, text, D.DECISION_PASSED_THROUGH, D.REASON_MODE_OFF)
                self.assertEqual(response.payload_id, "")
                self.assertEqual(response.key_id, "")
                self.assert_timing(response, 1000)

    def test_mode_shadow_long(self):
        response = self.mark(self.daemon, "e2e/shadow", texts.PROSE)
        self.assert_original(response, texts.PROSE, D.DECISION_SHADOWED, D.REASON_UNSPECIFIED)
        # The mark was computed (and timed) but not returned.
        self.assert_payload(response, "e2e/shadow")
        self.assert_timing(response, 1000)

    def test_mode_shadow_short(self):
        response = self.mark(self.daemon, "e2e/shadow", texts.SHORT)
        self.assert_original(response, texts.SHORT, D.DECISION_SHADOWED, D.REASON_TOO_SHORT)
        self.assertEqual(response.payload_id, "")
        self.assertLess(response.carriers, response.carriers_needed)

    def test_mode_mark_long(self):
        response = self.mark(self.daemon, "e2e/mark", texts.PROSE, request_id="r-1",
                             model="m-1")
        self.assert_marked(response, "e2e/mark", texts.PROSE)
        self.assert_timing(response, 900)

    def test_mode_mark_short(self):
        response = self.mark(self.daemon, "e2e/mark", texts.SHORT)
        self.assert_original(response, texts.SHORT, D.DECISION_PASSED_THROUGH,
                             D.REASON_TOO_SHORT)
        self.assertEqual(response.payload_id, "")
        self.assertEqual(response.key_id, "")
        self.assertLess(response.carriers, response.carriers_needed)

    def test_mode_enforce_long(self):
        response = self.mark(self.daemon, "e2e/enforce", texts.PROSE)
        self.assert_marked(response, "e2e/enforce", texts.PROSE)
        self.assert_timing(response, 1000)

    def test_mode_enforce_short_is_blocked(self):
        error = self.assert_blocked("e2e/enforce", texts.SHORT)
        self.assertIn("TOO_SHORT", error.details())

    def test_unnamed_space_gets_the_default(self):
        response = self.mark(self.daemon, UNNAMED, texts.PROSE)
        self.assert_marked(response, UNNAMED, texts.PROSE)
        short = self.mark(self.daemon, UNNAMED, texts.SHORT)
        self.assert_original(short, texts.SHORT, D.DECISION_PASSED_THROUGH, D.REASON_TOO_SHORT)

    def test_each_mark_has_its_own_payload(self):
        first = self.mark(self.daemon, "e2e/mark", texts.PROSE)
        second = self.mark(self.daemon, "e2e/mark", texts.PROSE)
        self.assert_marked(first, "e2e/mark", texts.PROSE)
        self.assert_marked(second, "e2e/mark", texts.PROSE)
        # Same key, Space and hour: the 14-bit nonce tells them apart (a
        # collision has probability 2^-14 when the hour is the same).
        fields = [texts.decode_payload_id(r.payload_id) for r in (first, second)]
        if fields[0]["hour"] == fields[1]["hour"] and fields[0]["nonce"] == fields[1]["nonce"]:
            self.skipTest("nonce collision (probability 2^-14)")
        self.assertNotEqual(first.payload_id, second.payload_id)

    # --- Detect

    def test_detect_marked_text(self):
        before = time.time()
        marked = self.mark(self.daemon, "e2e/mark", texts.PROSE)
        after = time.time()
        self.assert_marked(marked, "e2e/mark", texts.PROSE)
        found = self.detect(self.daemon, marked.text)
        self.assertTrue(found.detected)
        self.assertTrue(found.verified)
        self.assertEqual(found.payload_id, marked.payload_id)
        self.assertEqual(found.key_id, "e2e-key-1")
        self.assertEqual(found.space, "e2e/mark")
        self.assertEqual(found.space_tag, texts.space_tag("e2e/mark"))
        self.assertEqual(found.scheme, "unicode")
        self.assertIn(found.timestamp.seconds, current_hour_starts(before, after))
        self.assertLess(found.false_positive_probability, 1e-6)
        self.assertGreater(found.false_positive_probability, 0.0)
        self.assertGreaterEqual(found.carriers, marked.carriers_needed)

    def test_detect_fragment_of_marked_text(self):
        marked = self.mark(self.daemon, "e2e/enforce", texts.PROSE)
        self.assert_marked(marked, "e2e/enforce", texts.PROSE)
        fragment = texts.middle_fragment(marked.text, 0.6)
        self.assertLess(len(fragment), 0.62 * len(marked.text))
        self.assertGreater(len(fragment), 0.55 * len(marked.text))
        found = self.detect(self.daemon, fragment)
        self.assertTrue(found.verified, found)
        self.assertEqual(found.payload_id, marked.payload_id)
        self.assertEqual(found.key_id, "e2e-key-1")
        self.assertEqual(found.space, "e2e/enforce")
        self.assertLess(found.false_positive_probability, 1e-6)

    def test_detect_unnamed_space_mark(self):
        marked = self.mark(self.daemon, UNNAMED, texts.PROSE)
        found = self.detect(self.daemon, marked.text)
        self.assertTrue(found.verified)
        self.assertEqual(found.payload_id, marked.payload_id)
        # The tag is decoded, but no Space named in the policy has it.
        self.assertEqual(found.space_tag, texts.space_tag(UNNAMED))
        self.assertEqual(found.space, "")

    def test_detect_unmarked_original(self):
        found = self.detect(self.daemon, texts.PROSE)
        self.assertFalse(found.detected)
        self.assertFalse(found.verified)
        self.assertEqual(found.payload_id, "")
        self.assertEqual(found.key_id, "")
        self.assertEqual(found.space, "")
        self.assertGreater(found.false_positive_probability, 1e-6)

    def test_detect_shadowed_text_finds_nothing(self):
        shadowed = self.mark(self.daemon, "e2e/shadow", texts.PROSE)
        found = self.detect(self.daemon, shadowed.text)
        self.assertFalse(found.detected)
        self.assertFalse(found.verified)

    def test_detect_mark_of_another_key(self):
        other = self.start_daemon(name="hallmarkd-other-key")  # ephemeral key
        self.assertTrue(other.ready["active_key"].startswith("ephemeral-"), other.ready)
        marked = self.mark(other, "e2e/mark", texts.PROSE)
        self.assertEqual(marked.decision, D.DECISION_MARKED)
        self.assertEqual(texts.normalize(marked.text), texts.PROSE)
        found = self.detect(self.daemon, marked.text)
        self.assertTrue(found.detected, "the mark's structure is key-independent")
        self.assertFalse(found.verified, "no key of this daemon made it")
        self.assertEqual(found.key_id, "")
        self.assertEqual(found.space, "")
        # ... while the daemon that made it verifies it.
        self.assertTrue(self.detect(other, marked.text).verified)

    # --- GetPolicy

    def get_policy(self, space):
        return self.daemon.stub().GetPolicy(D.GetPolicyRequest(space=space),
                                            timeout=h.RPC_TIMEOUT)

    def test_get_policy_named(self):
        policy = self.get_policy("e2e/mark")
        self.assertEqual(policy.space, "e2e/mark")
        self.assertTrue(policy.named)
        self.assertEqual(policy.metrics_label, "e2e/mark")
        self.assertEqual(policy.policy.mode, MODE.MODE_MARK)
        self.assertEqual(policy.policy.budget_ms, 900)
        self.assertEqual(policy.policy.text.scheme, "unicode")
        self.assertEqual(policy.policy.text.max_bytes, 1 << 20)
        self.assertEqual(policy.active_key_id, "e2e-key-1")
        self.assertEqual(policy.source, self.policy_path)

    def test_get_policy_named_inherits_unset_fields(self):
        cases = {"e2e/off": MODE.MODE_OFF, "e2e/shadow": MODE.MODE_SHADOW,
                 "e2e/enforce": MODE.MODE_ENFORCE}
        for space, mode in cases.items():
            with self.subTest(space=space):
                policy = self.get_policy(space)
                self.assertTrue(policy.named)
                self.assertEqual(policy.policy.mode, mode)
                self.assertEqual(policy.policy.budget_ms, 1000, "inherited from default")
                self.assertEqual(policy.policy.text.max_bytes, 1 << 20)
        small = self.get_policy("e2e/small")
        self.assertEqual(small.policy.text.max_bytes, 64)
        self.assertEqual(small.policy.text.scheme, "unicode")

    def test_get_policy_unnamed(self):
        policy = self.get_policy(UNNAMED)
        self.assertEqual(policy.space, UNNAMED)
        self.assertFalse(policy.named)
        self.assertEqual(policy.metrics_label, "other")
        self.assertEqual(policy.policy.mode, MODE.MODE_MARK)
        self.assertEqual(policy.policy.budget_ms, 1000)
        self.assertEqual(policy.policy.text.scheme, "unicode")
        self.assertEqual(policy.policy.text.max_bytes, 1 << 20)
        self.assertEqual(policy.policy.image.max_pixels, 50_000_000)
        self.assertEqual(policy.active_key_id, "e2e-key-1")

    # --- invalid arguments and unimplemented parts

    def test_empty_space_is_invalid(self):
        error = self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.mark, self.daemon,
                                      "", texts.PROSE)
        self.assertIn("space", error.details())
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.daemon.stub().GetPolicy,
                              D.GetPolicyRequest(space=""), timeout=h.RPC_TIMEOUT)

    def test_space_with_control_character_is_invalid(self):
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.mark, self.daemon,
                              "e2e/\x01", texts.PROSE)

    def test_text_over_max_bytes_is_invalid(self):
        text = "x " * 40  # 80 bytes > 64
        error = self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.mark, self.daemon,
                                      "e2e/small", text)
        self.assertIn("max_bytes", error.details())
        # At the limit it is accepted (and too short to mark).
        response = self.mark(self.daemon, "e2e/small", "y" * 64)
        self.assertEqual(response.decision, D.DECISION_PASSED_THROUGH)
        self.assertEqual(response.text, "y" * 64)

    def test_detect_without_content_is_invalid(self):
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.daemon.stub().Detect,
                              D.DetectRequest(), timeout=h.RPC_TIMEOUT)

    # --- health and reflection

    def test_health_serving(self):
        stub = self.daemon.health_stub()
        for service in ("", "hallmark.v1.Hallmark"):
            with self.subTest(service=service):
                response = stub.Check(health_pb2.HealthCheckRequest(service=service),
                                      timeout=h.RPC_TIMEOUT)
                self.assertEqual(response.status, health_pb2.HealthCheckResponse.SERVING)
        self.assert_rpc_error(grpc.StatusCode.NOT_FOUND, stub.Check,
                              health_pb2.HealthCheckRequest(service="no.such.Service"),
                              timeout=h.RPC_TIMEOUT)

    def reflect(self, **request_fields):
        stub = h.reflection_pb2_grpc.ServerReflectionStub(self.daemon.channel())
        request = h.reflection_pb2.ServerReflectionRequest(**request_fields)
        responses = list(stub.ServerReflectionInfo(iter([request]), timeout=h.RPC_TIMEOUT))
        self.assertEqual(len(responses), 1)
        self.assertFalse(responses[0].HasField("error_response"), responses[0].error_response)
        return responses[0]

    def test_reflection_lists_services(self):
        response = self.reflect(list_services="")
        names = {s.name for s in response.list_services_response.service}
        self.assertIn("hallmark.v1.Hallmark", names)
        self.assertIn("grpc.health.v1.Health", names)

    def test_reflection_file_containing_symbol(self):
        response = self.reflect(file_containing_symbol="hallmark.v1.Hallmark")
        files = {}
        for blob in response.file_descriptor_response.file_descriptor_proto:
            proto = descriptor_pb2.FileDescriptorProto()
            proto.ParseFromString(blob)
            files[proto.name] = proto
        self.assertIn("hallmark/v1/hallmark.proto", files)
        api = files["hallmark/v1/hallmark.proto"]
        self.assertEqual(api.package, "hallmark.v1")
        services = {s.name: s for s in api.service}
        methods = {m.name for m in services["Hallmark"].method}
        self.assertEqual(methods, {"MarkText", "MarkTextStream", "MarkImage", "Detect",
                                   "GetPolicy"})
        # The message types a client needs are described too.
        messages = {m.name for m in api.message_type}
        self.assertTrue({"MarkTextRequest", "MarkTextResponse", "DetectResponse"} <= messages)
        symbol = self.reflect(file_containing_symbol="hallmark.v1.MarkTextResponse")
        self.assertTrue(symbol.file_descriptor_response.file_descriptor_proto)


class KeysAndReloadTest(h.HallmarkTestCase):
    """Key rotation and policy reloads on SIGHUP (file-change reloads are in
    test_reload.py)."""

    def start_daemon(self, **kwargs):
        # SIGHUP alone: the file watcher would also reload on the changes
        # made here and change the counts these tests check.
        kwargs.setdefault("extra_args", ("--watch_config=false",))
        return super().start_daemon(**kwargs)

    def policy_text(self, active=None, mark_mode="mark"):
        text = POLICY.replace('"e2e/mark":    { mode: mark, budget_ms: 900 }',
                              f'"e2e/mark":    {{ mode: {mark_mode}, budget_ms: 900 }}')
        if active:
            text += f"keys:\n  active: {active}\n"
        return text

    def reload(self, daemon, expect):
        start = daemon.line_count()
        daemon.send_signal(signal.SIGHUP)
        return daemon.wait_for_line(expect, timeout=20, start=start)

    def test_key_rotation_and_reload(self):
        directory = self.temp_dir()
        keys = os.path.join(directory, "keys")
        os.mkdir(keys, 0o700)
        h.write_key(keys, "k-old")
        policy = h.replace_file(os.path.join(directory, "policy.yaml"), self.policy_text())
        daemon = self.start_daemon(policy=policy, keys=keys)
        self.assertEqual(daemon.ready["keys"], "1")
        self.assertEqual(daemon.ready["active_key"], "k-old")
        self.assertEqual(daemon.ready["policy"], policy)
        first = self.mark(daemon, "e2e/mark", texts.PROSE)
        self.assertEqual(first.decision, D.DECISION_MARKED)
        self.assertEqual(first.key_id, "k-old")

        # Rotate: a second key, and the policy makes it the active one.
        h.write_key(keys, "k-new")
        h.replace_file(policy, self.policy_text(active="k-new"))
        self.reload(daemon, r'reloaded policy="' + re.escape(policy) +
                    r'" keys=2 active_key=k-new')
        second = self.mark(daemon, "e2e/mark", texts.PROSE)
        self.assertEqual(second.decision, D.DECISION_MARKED)
        self.assertEqual(second.key_id, "k-new")
        self.assertEqual(texts.decode_payload_id(second.payload_id)["key_tag"],
                         texts.key_tag("k-new"))

        # Both marks verify: every key in the ring is accepted for detection.
        for marked, key_id in ((first, "k-old"), (second, "k-new")):
            with self.subTest(key_id=key_id):
                found = self.detect(daemon, marked.text)
                self.assertTrue(found.verified)
                self.assertEqual(found.key_id, key_id)
                self.assertEqual(found.payload_id, marked.payload_id)
        samples = daemon.metrics()
        self.assertEqual(h.metric_sum(samples, "hallmark_keys_loaded"), 2)
        self.assertEqual(h.metric_sum(samples, "hallmark_config_reloads_total",
                                      result="success"), 1)

    def test_kubernetes_secret_layout(self):
        """A Secret volume: files are symlinks into a ..data directory that
        the kubelet swaps atomically on update."""
        keys = self.temp_dir()

        def publish(version, key_ids, secrets_by_id):
            data = os.path.join(keys, f"..{version}")
            os.mkdir(data)
            for key_id in key_ids:
                with open(os.path.join(data, key_id), "w") as f:
                    f.write(secrets_by_id[key_id])
            link = os.path.join(keys, "..data_tmp")
            os.symlink(f"..{version}", link)
            os.replace(link, os.path.join(keys, "..data"))
            for key_id in key_ids:
                name = os.path.join(keys, key_id)
                if not os.path.islink(name):
                    os.symlink(os.path.join("..data", key_id), name)

        material = {k: secrets.token_hex(32) + "\n" for k in ("k-a", "k-b")}
        publish("2026_01", ["k-a"], material)
        policy = h.replace_file(os.path.join(self.temp_dir(), "policy.yaml"), self.policy_text())
        daemon = self.start_daemon(policy=policy, keys=keys)
        self.assertEqual(daemon.ready["keys"], "1", "..data and ..2026_01 are not keys")
        first = self.mark(daemon, "e2e/mark", texts.PROSE)
        self.assertEqual(first.key_id, "k-a")

        publish("2026_02", ["k-a", "k-b"], material)
        h.replace_file(policy, self.policy_text(active="k-b"))
        self.reload(daemon, r"reloaded .* keys=2 active_key=k-b")
        second = self.mark(daemon, "e2e/mark", texts.PROSE)
        self.assertEqual(second.key_id, "k-b")
        for marked in (first, second):
            self.assertTrue(self.detect(daemon, marked.text).verified)

    def test_invalid_policy_on_reload_is_rejected(self):
        directory = self.temp_dir()
        policy = h.replace_file(os.path.join(directory, "policy.yaml"),
                                self.policy_text(mark_mode="enforce"))
        daemon = self.start_daemon(policy=policy)
        self.assertEqual(self.get_mode(daemon, "e2e/mark"), MODE.MODE_ENFORCE)

        broken = self.policy_text(mark_mode="enforse")
        line = broken.splitlines().index(
            '  "e2e/mark":    { mode: enforse, budget_ms: 900 }') + 1
        h.replace_file(policy, broken)
        match = self.reload(daemon, r"reload rejected.*")
        self.assertRegex(match.group(0),
                         re.escape(policy) + f":{line}:\\d+: " + r'spaces\."e2e/mark"\.mode: '
                         r'unknown value "enforse"')

        # The last good policy is still in force.
        self.assertEqual(self.get_mode(daemon, "e2e/mark"), MODE.MODE_ENFORCE)
        self.assert_rpc_error(grpc.StatusCode.FAILED_PRECONDITION, self.mark, daemon,
                              "e2e/mark", texts.SHORT)
        samples = daemon.metrics()
        self.assertEqual(h.metric_sum(samples, "hallmark_config_reloads_total",
                                      result="rejected"), 1)
        self.assertEqual(h.metric_sum(samples, "hallmark_config_reloads_total",
                                      result="success"), 0)

        # A fixed file is taken on the next SIGHUP.
        h.replace_file(policy, self.policy_text(mark_mode="off"))
        self.reload(daemon, r"reloaded policy=")
        self.assertEqual(self.get_mode(daemon, "e2e/mark"), MODE.MODE_OFF)
        self.assertEqual(h.metric_sum(daemon.metrics(), "hallmark_config_reloads_total",
                                      result="success"), 1)

    def test_reload_with_missing_active_key_is_rejected(self):
        directory = self.temp_dir()
        keys = self.key_dir("k-one")
        policy = h.replace_file(os.path.join(directory, "policy.yaml"), self.policy_text())
        daemon = self.start_daemon(policy=policy, keys=keys)
        h.replace_file(policy, self.policy_text(active="k-missing"))
        match = self.reload(daemon, r"reload rejected.*")
        self.assertIn("k-missing", match.group(0))
        marked = self.mark(daemon, "e2e/mark", texts.PROSE)
        self.assertEqual(marked.key_id, "k-one")

    def get_mode(self, daemon, space):
        return daemon.stub().GetPolicy(D.GetPolicyRequest(space=space),
                                       timeout=h.RPC_TIMEOUT).policy.mode


class StartupFailureTest(h.HallmarkTestCase):
    """Configuration errors stop hallmarkd at start with exit code 2 and a
    message naming the problem."""

    def common_args(self):
        return ["--grpc_listen", "127.0.0.1:0", "--metrics_listen", "127.0.0.1:0"]

    def test_bad_policy_file(self):
        directory = self.temp_dir()
        policy = self.write_file(directory, "policy.yaml",
                                 "default:\n  mode: mark\nspaces:\n  \"x\": { mode: enforse }\n")
        code, output = self.run_daemon_to_exit(self.common_args() + ["--policy", policy])
        self.assertEqual(code, 2, output)
        self.assertRegex(output, re.escape(policy) + r':4:\d+: spaces\."x"\.mode: unknown value')
        self.assertNotIn("hallmarkd ready", output)

    def test_unknown_policy_field(self):
        directory = self.temp_dir()
        policy = self.write_file(directory, "policy.yaml",
                                 "default:\n  mode: mark\n  budget: 10\n")
        code, output = self.run_daemon_to_exit(self.common_args() + ["--policy", policy])
        self.assertEqual(code, 2, output)
        self.assertRegex(output, re.escape(policy) + r":3:\d+: default\.budget: unknown field")

    def test_missing_policy_file(self):
        missing = os.path.join(self.temp_dir(), "nope.yaml")
        code, output = self.run_daemon_to_exit(self.common_args() + ["--policy", missing])
        self.assertEqual(code, 2, output)
        self.assertIn(missing, output)

    def test_missing_keys_dir(self):
        missing = os.path.join(self.temp_dir(), "no-such-keys")
        code, output = self.run_daemon_to_exit(self.common_args() + ["--keys", missing])
        self.assertEqual(code, 2, output)
        self.assertIn(missing, output)
        self.assertNotIn("hallmarkd ready", output)

    def test_bad_key_file(self):
        keys = self.temp_dir()
        self.write_file(keys, "short-key", "abcd\n")
        code, output = self.run_daemon_to_exit(self.common_args() + ["--keys", keys])
        self.assertEqual(code, 2, output)
        self.assertIn("short-key", output)

    def test_ephemeral_key_warns_loudly(self):
        daemon = self.start_daemon()
        self.assertIn("WARN NO KEYS CONFIGURED", daemon.output())
        self.assertEqual(daemon.ready["policy"], "embedded defaults")
        self.assertTrue(daemon.ready["active_key"].startswith("ephemeral-"))
        # ... and the loopback addresses were honoured.
        self.assertTrue(daemon.grpc_address.startswith("127.0.0.1:"))
        self.assertTrue(daemon.metrics_url.startswith("http://127.0.0.1:"))


class BudgetTest(h.HallmarkTestCase):
    """A budget far below the marking time: each mode gives up as §4/§5 say."""

    def test_budget_exhausted(self):
        policy = self.write_file(self.temp_dir(), "policy.yaml", (
            "default:\n  mode: mark\n"
            "spaces:\n"
            '  "b/mark":    { mode: mark, budget_ms: 1 }\n'
            '  "b/enforce": { mode: enforce, budget_ms: 1 }\n'
            '  "b/shadow":  { mode: shadow, budget_ms: 1 }\n'))
        daemon = self.start_daemon(policy=policy)
        # About 1 MB of prose: marking it takes several milliseconds.
        text = texts.PROSE * 600
        self.assertLess(len(text.encode()), 1 << 20)

        marked = self.mark(daemon, "b/mark", text)
        self.assertEqual(D.Decision.Name(marked.decision), "DECISION_PASSED_THROUGH")
        self.assertEqual(D.Reason.Name(marked.reason), "REASON_BUDGET")
        self.assertTrue(marked.text == text, "the original must come back")
        self.assertEqual(marked.payload_id, "")
        self.assertGreater(marked.server_micros, 1000)

        shadowed = self.mark(daemon, "b/shadow", text)
        self.assertEqual(D.Decision.Name(shadowed.decision), "DECISION_SHADOWED")
        self.assertEqual(D.Reason.Name(shadowed.reason), "REASON_BUDGET")
        self.assertTrue(shadowed.text == text)

        error = self.assert_rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED, self.mark, daemon,
                                      "b/enforce", text)
        metadata = h.trailing_metadata(error)
        self.assertEqual(metadata.get("hallmark-decision"), "DECISION_BLOCKED", metadata)
        self.assertEqual(metadata.get("hallmark-reason"), "REASON_BUDGET", metadata)

        samples = daemon.metrics()
        for space in ("b/mark", "b/enforce", "b/shadow"):
            with self.subTest(space=space):
                self.assertEqual(h.metric_sum(samples, "hallmark_budget_exhausted_total",
                                              space=space), 1)
                self.assertEqual(h.metric_sum(samples, "hallmark_requests_total", space=space,
                                              reason="budget"), 1)


class MessageLimitTest(h.HallmarkTestCase):
    """--max_message_bytes bounds what a client may send."""

    def test_oversized_message_is_refused(self):
        daemon = self.start_daemon(extra_args=["--max_message_bytes", "8192"])
        error = self.assert_rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, self.mark, daemon,
                                      "e2e/mark", "word " * 4000)
        self.assertIn("8192", error.details())
        # The daemon carries on serving normal requests.
        response = self.mark(daemon, "e2e/mark", texts.PROSE)
        self.assertEqual(response.decision, D.DECISION_MARKED)


class GracefulShutdownTest(h.HallmarkTestCase):
    """SIGTERM: health NOT_SERVING, new calls refused, in-flight calls finish,
    exit code 0."""

    WORKERS = 20

    def test_sigint_stops_cleanly(self):
        daemon = self.start_daemon()
        self.assertEqual(self.mark(daemon, "a/b", texts.PROSE).decision, D.DECISION_MARKED)
        daemon.send_signal(signal.SIGINT)
        self.assertEqual(daemon.wait_exit(30), 0, daemon.output())
        self.assertIn("draining", daemon.output())

    def test_sigterm_drains(self):
        directory = self.temp_dir()
        policy = h.replace_file(os.path.join(directory, "policy.yaml"), POLICY)
        daemon = self.start_daemon(policy=policy, keys=self.key_dir("k-drain"),
                                   shutdown_grace="30s")
        stub = daemon.stub()

        # A stream that is mid-way: the first part sent and partly released.
        words = re.findall(r"\S+\s*", texts.PROSE)
        half = len(words) // 2
        stream = h.BidiStream(stub, timeout=120)
        self.addCleanup(stream.cancel)
        stream.send(words[0], space="e2e/mark")
        for word in words[1:half]:
            stream.send(word)
        released = []
        kind, value = stream.next_event(what="the first released text of the stream")
        self.assertEqual(kind, "response", value)
        released.append(value)

        # A health watch, to see NOT_SERVING during the drain.
        watch = daemon.health_stub().Watch(health_pb2.HealthCheckRequest(service=""),
                                           timeout=120)
        self.addCleanup(watch.cancel)
        self.assertEqual(next(watch).status, health_pb2.HealthCheckResponse.SERVING)

        # Concurrent MarkText calls, each worker calling until refused.
        lock = threading.Lock()
        ok = []
        failures = []

        def worker():
            worker_stub = h.hallmark_pb2_grpc.HallmarkStub(daemon.channel())
            while True:
                try:
                    response = worker_stub.MarkText(
                        D.MarkTextRequest(space="e2e/mark", text=texts.PROSE),
                        timeout=h.RPC_TIMEOUT)
                except grpc.RpcError as error:
                    with lock:
                        failures.append((error.code(), error.details()))
                    return
                with lock:
                    ok.append(response)

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.WORKERS)]
        for thread in threads:
            thread.start()
        # SIGTERM while all workers are busy calling.
        h.wait_until(lambda: len(ok) >= 10 * self.WORKERS, 60, "200 answered calls")
        sigterm_at = time.monotonic()
        daemon.send_signal(signal.SIGTERM)

        self.assertEqual(next(watch).status, health_pb2.HealthCheckResponse.NOT_SERVING)
        watch.cancel()
        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), "a MarkText worker hung during the drain")
        daemon.wait_for_line(r"draining", timeout=10)

        # Every call was either answered in full or refused. A call that
        # reached the server as it shut down, before any handler took it, is
        # refused by gRPC itself with CANCELLED ("Server Shutdown"): the
        # count below shows it was never processed.
        self.assertEqual(len(failures), self.WORKERS, failures)
        for code, details in failures:
            self.assertIn(code, (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED),
                          details)
        for response in ok:
            self.assertEqual(response.decision, D.DECISION_MARKED)
            self.assertEqual(texts.normalize(response.text), texts.PROSE)
        # ... and the daemon counted exactly the calls the clients saw succeed:
        # none was accepted and then lost. (Metrics are served until exit.)
        samples = daemon.metrics()
        self.assertEqual(h.metric_sum(samples, "hallmark_requests_total", space="e2e/mark"),
                         len(ok))
        self.assertEqual(h.metric_sum(samples, "hallmark_in_flight_requests", modality="text"),
                         1, "only the stream is still in flight")
        self.assertIsNone(daemon.process.poll(), "hallmarkd exited with a stream in flight")

        # The in-flight stream carries on and completes normally.
        for word in words[half:]:
            stream.send(word)
        responses, error = stream.finish()
        self.assertIsNone(error, error and error.details())
        responses = released + stream_responses_before_final(responses)
        final = responses[-1]
        self.assertTrue(final.final)
        self.assertEqual(final.decision, D.DECISION_MARKED)
        output = "".join(r.delta for r in responses)
        self.assertEqual(texts.normalize(output), texts.PROSE)

        code = daemon.wait_exit(30)
        self.assertEqual(code, 0, daemon.output())
        self.assertLess(time.monotonic() - sigterm_at, 30, "the drain took the whole grace")
        self.assertIn("stopped", daemon.output())

        # After shutdown nothing answers.
        channel = grpc.insecure_channel(daemon.grpc_address)
        self.addCleanup(channel.close)
        self.assert_rpc_error(
            grpc.StatusCode.UNAVAILABLE, h.hallmark_pb2_grpc.HallmarkStub(channel).MarkText,
            D.MarkTextRequest(space="e2e/mark", text=texts.PROSE), timeout=h.RPC_TIMEOUT)


def stream_responses_before_final(responses):
    """Checks that exactly the last response is final; returns them all."""
    for response in responses[:-1]:
        assert not response.final, "a final response before the end of the stream"
        assert response.delta, "an empty non-final response"
    return responses


if __name__ == "__main__":
    unittest.main()
