"""End-to-end tests of hot reload on file change (hallmarkd --watch_config,
on by default): no signal is sent. A policy replaced by rename or written in
place, an invalid policy rejected with the last good one in force, key
rotation, and Kubernetes ConfigMap/Secret volume updates, each while a small
background load of MarkText calls runs that must see no failed call."""
import os
import re
import secrets
import signal
import threading
import unittest

import hallmark_harness as h
from hallmark_harness import grpc, hallmark_pb2, config_pb2
import texts

D = hallmark_pb2
MODE = config_pb2

# How long a file change may take to show: the 200 ms debounce plus a slow,
# shared machine.
RELOAD_TIMEOUT = 20.0
LOAD_SPACE = "reload/load"
# The tests' own marks, kept out of the load's count.
PROBE_SPACE = "reload/probe"
WORKERS = 2


def policy_text(mode="mark", active=None, load_mode="mark"):
    # The load's Space keeps mode `mark` and a budget no stall can exhaust,
    # so that every one of its calls must come back MARKED.
    text = (
        "default: { mode: mark, budget_ms: 1000 }\n"
        "spaces:\n"
        f'  "{LOAD_SPACE}": {{ mode: {load_mode}, budget_ms: 60000 }}\n'
        f'  "{PROBE_SPACE}": {{ mode: mark, budget_ms: 60000 }}\n'
        f'  "reload/x": {{ mode: {mode} }}\n')
    if active:
        text += f"keys:\n  active: {active}\n"
    return text


class MarkLoad:
    """Background MarkText calls on LOAD_SPACE until stopped; counts them."""

    def __init__(self, daemon, workers=WORKERS):
        self._daemon = daemon
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.ok = []  # responses
        self.failures = []  # (code, details)
        self._threads = [threading.Thread(target=self._work, daemon=True)
                         for _ in range(workers)]

    def _work(self):
        stub = h.hallmark_pb2_grpc.HallmarkStub(self._daemon.channel())
        while not self._stop.is_set():
            try:
                response = stub.MarkText(D.MarkTextRequest(space=LOAD_SPACE, text=texts.PROSE),
                                         timeout=h.RPC_TIMEOUT)
            except grpc.RpcError as error:
                with self._lock:
                    self.failures.append((error.code(), error.details()))
                continue
            with self._lock:
                self.ok.append(response)

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def count(self):
        with self._lock:
            return len(self.ok) + len(self.failures)

    def wait_for_more_calls(self, n=5):
        """Waits until `n` more calls completed, so the load spans what follows."""
        target = self.count() + n
        h.wait_until(lambda: self.count() >= target, 60, f"{n} more load calls")

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
            assert not thread.is_alive(), "a load worker hung"
        return self.ok, self.failures


class FileWatchReloadTest(h.HallmarkTestCase):

    def start_with_load(self, policy, keys):
        daemon = self.start_daemon(policy=policy, keys=keys)
        self.assertIn("watch_config=on", daemon.output())
        load = MarkLoad(daemon).start()
        self.addCleanup(load.stop)
        load.wait_for_more_calls()
        return daemon, load

    def finish_load(self, daemon, load):
        """Stops the load: no call failed, each one marked and counted."""
        ok, failures = load.stop()
        self.assertEqual(failures, [], "calls failed during reloads")
        self.assertGreater(len(ok), 0)
        for response in ok:
            self.assertEqual(response.decision, D.DECISION_MARKED)
            self.assertEqual(texts.normalize(response.text), texts.PROSE)
        samples = daemon.metrics()
        self.assertEqual(h.metric_sum(samples, "hallmark_requests_total", space=LOAD_SPACE),
                         len(ok))
        return ok

    def mode(self, daemon, space="reload/x"):
        return daemon.stub().GetPolicy(D.GetPolicyRequest(space=space),
                                       timeout=h.RPC_TIMEOUT).policy.mode

    def reloads(self, daemon, result):
        return h.metric_sum(daemon.metrics(), "hallmark_config_reloads_total", result=result)

    def wait_reloads(self, daemon, result, count):
        h.wait_until(lambda: self.reloads(daemon, result) == count, RELOAD_TIMEOUT,
                     f"hallmark_config_reloads_total{{result={result!r}}} == {count}")

    def test_policy_changes_and_invalid_policy_under_load(self):
        directory = self.temp_dir()
        policy = h.replace_file(os.path.join(directory, "policy.yaml"), policy_text("mark"))
        daemon, load = self.start_with_load(policy, self.key_dir("k-1"))
        self.assertEqual(self.mode(daemon), MODE.MODE_MARK)

        # 1. Renamed over (an editor, `mv`, replace_file): taken without a signal.
        start = daemon.line_count()
        h.replace_file(policy, policy_text("shadow"))
        h.wait_until(lambda: self.mode(daemon) == MODE.MODE_SHADOW, RELOAD_TIMEOUT,
                     "GetPolicy to show the renamed-over policy")
        daemon.wait_for_line(r'reloaded policy="' + re.escape(policy) +
                             r'" keys=1 active_key=k-1 trigger=file-change', start=start)
        self.wait_reloads(daemon, "success", 1)
        load.wait_for_more_calls()

        # 2. An invalid policy written in place: rejected, naming the field;
        # the last good policy stays in force.
        start = daemon.line_count()
        with open(policy, "w") as f:
            f.write(policy_text("enforse"))
        match = daemon.wait_for_line(r"reload rejected \(file-change\).*", timeout=RELOAD_TIMEOUT,
                                     start=start)
        self.assertRegex(match.group(0), re.escape(policy) + r':\d+:\d+: spaces\."reload/x"\.mode: '
                         r'unknown value "enforse"')
        self.wait_reloads(daemon, "rejected", 1)
        self.assertEqual(self.mode(daemon), MODE.MODE_SHADOW)
        load.wait_for_more_calls()

        # 3. Fixed in place: taken.
        with open(policy, "w") as f:
            f.write(policy_text("enforce"))
        h.wait_until(lambda: self.mode(daemon) == MODE.MODE_ENFORCE, RELOAD_TIMEOUT,
                     "GetPolicy to show the policy fixed in place")
        self.wait_reloads(daemon, "success", 2)
        load.wait_for_more_calls()

        self.finish_load(daemon, load)
        self.assertEqual(self.reloads(daemon, "success"), 2)
        self.assertEqual(self.reloads(daemon, "rejected"), 1)

    def test_key_rotation_under_load(self):
        directory = self.temp_dir()
        keys = os.path.join(directory, "keys")
        os.mkdir(keys, 0o700)
        h.write_key(keys, "k-old")
        policy = h.replace_file(os.path.join(directory, "policy.yaml"),
                                policy_text(active="k-old"))
        daemon, load = self.start_with_load(policy, keys)
        old = self.mark(daemon, PROBE_SPACE, texts.PROSE)
        self.assertEqual(old.key_id, "k-old")

        # Add the new key, written under a dot name and renamed in so that it
        # is never seen half-written.
        temporary = h.write_key(keys, ".k-new.tmp")
        os.replace(temporary, os.path.join(keys, "k-new"))
        h.wait_until(lambda: h.metric_sum(daemon.metrics(), "hallmark_keys_loaded") == 2,
                     RELOAD_TIMEOUT, "the second key to be loaded")
        self.assertEqual(self.mark(daemon, PROBE_SPACE, texts.PROSE).key_id, "k-old")
        load.wait_for_more_calls()

        # Switch keys.active.
        h.replace_file(policy, policy_text(active="k-new"))
        new = h.wait_until(
            lambda: (lambda r: r if r.key_id == "k-new" else None)(
                self.mark(daemon, PROBE_SPACE, texts.PROSE)),
            RELOAD_TIMEOUT, "marks made with k-new")
        load.wait_for_more_calls()

        # Old marks still verify, with the key they were made with.
        for marked, key_id in ((old, "k-old"), (new, "k-new")):
            with self.subTest(key_id=key_id):
                found = self.detect(daemon, marked.text)
                self.assertTrue(found.verified)
                self.assertEqual(found.key_id, key_id)
                self.assertEqual(found.payload_id, marked.payload_id)

        ok = self.finish_load(daemon, load)
        self.assertEqual({r.key_id for r in ok} - {"k-old", "k-new"}, set())
        self.assertEqual(self.reloads(daemon, "success"), 2)
        self.assertEqual(self.reloads(daemon, "rejected"), 0)

    def test_kubernetes_configmap_and_secret_updates_under_load(self):
        """Both sources as Kubernetes volumes: the visible files are links
        through `..data`, which the kubelet renames over atomically."""
        config_map = self.temp_dir()
        secret = self.temp_dir()
        material = {k: secrets.token_hex(32) + "\n" for k in ("k-a", "k-b")}
        config_map_volume = KubernetesVolume(config_map)
        secret_volume = KubernetesVolume(secret)
        config_map_volume.publish("2026_01_01_00_00_00.1",
                                  {"policy.yaml": policy_text("mark", active="k-a")})
        secret_volume.publish("2026_01_01_00_00_00.2", {"k-a": material["k-a"]})
        daemon, load = self.start_with_load(os.path.join(config_map, "policy.yaml"), secret)
        self.assertEqual(daemon.ready["keys"], "1", "..data and ..<timestamp> are not keys")
        first = self.mark(daemon, PROBE_SPACE, texts.PROSE)
        self.assertEqual(first.key_id, "k-a")

        # A ConfigMap update.
        config_map_volume.publish("2026_01_02_00_00_00.1",
                                  {"policy.yaml": policy_text("enforce", active="k-a")})
        h.wait_until(lambda: self.mode(daemon) == MODE.MODE_ENFORCE, RELOAD_TIMEOUT,
                     "GetPolicy to show the ConfigMap update")
        load.wait_for_more_calls()

        # A Secret update adds k-b; then the ConfigMap makes it active.
        secret_volume.publish("2026_01_03_00_00_00.2", material)
        h.wait_until(lambda: h.metric_sum(daemon.metrics(), "hallmark_keys_loaded") == 2,
                     RELOAD_TIMEOUT, "the Secret update")
        config_map_volume.publish("2026_01_03_00_00_00.1",
                                  {"policy.yaml": policy_text("enforce", active="k-b")})
        second = h.wait_until(
            lambda: (lambda r: r if r.key_id == "k-b" else None)(
                self.mark(daemon, PROBE_SPACE, texts.PROSE)),
            RELOAD_TIMEOUT, "marks made with k-b")
        load.wait_for_more_calls()
        for marked in (first, second):
            self.assertTrue(self.detect(daemon, marked.text).verified)

        self.finish_load(daemon, load)
        self.assertEqual(self.reloads(daemon, "rejected"), 0)
        self.assertGreaterEqual(self.reloads(daemon, "success"), 3)

    def test_sighup_still_reloads(self):
        directory = self.temp_dir()
        policy = h.replace_file(os.path.join(directory, "policy.yaml"), policy_text())
        daemon = self.start_daemon(policy=policy, keys=self.key_dir("k-1"))
        start = daemon.line_count()
        daemon.send_signal(signal.SIGHUP)
        daemon.wait_for_line(r"reloaded policy=.* trigger=SIGHUP", timeout=RELOAD_TIMEOUT,
                             start=start)
        self.assertEqual(self.reloads(daemon, "success"), 1)


class KubernetesVolume:
    """A directory laid out as the kubelet lays out a ConfigMap/Secret volume."""

    def __init__(self, root):
        self.root = root
        self.previous = None

    def publish(self, version, files):
        data = f"..{version}"
        os.mkdir(os.path.join(self.root, data))
        for name, content in files.items():
            with open(os.path.join(self.root, data, name), "w") as f:
                f.write(content)
        link = os.path.join(self.root, "..data_tmp")
        os.symlink(data, link)
        os.replace(link, os.path.join(self.root, "..data"))
        for name in files:
            visible = os.path.join(self.root, name)
            if not os.path.islink(visible):
                os.symlink(os.path.join("..data", name), visible)
        if self.previous is not None:
            for name in os.listdir(os.path.join(self.root, self.previous)):
                os.remove(os.path.join(self.root, self.previous, name))
            os.rmdir(os.path.join(self.root, self.previous))
        self.previous = data


if __name__ == "__main__":
    unittest.main()
