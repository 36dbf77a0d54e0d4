"""Drives a Jupyter kernel with jupyter_client for test/notebook/kernel.test.ts.

Why: the kernel is only right if Jupyter's own client library can talk to it, so the test speaks
through jupyter_client (KernelManager + BlockingKernelClient), not through a client of our own.
The driver only relays: it reads one JSON request per line on stdin and writes one JSON answer
per line on stdout (raw message contents); every assertion lives in the TypeScript test.

Run with Debian's /usr/bin/python3; JUPYTER_PATH must hold the kernelspec (argv[1] names it).
"""
import json
import os
import signal
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

kernel_name = sys.argv[1] if len(sys.argv) > 1 else "ktrace"
km = KernelManager(kernel_name=kernel_name)
if len(sys.argv) > 2 and sys.argv[2] == "--unsigned":
    km.session.key = b""  # the connection file says key "": no message is signed
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)

shell_replies = {}  # parent msg_id -> (reply, time received)
iopub = {}  # parent msg_id -> [messages]
idle = set()  # parent msg_ids whose idle status arrived


def pump_iopub(timeout):
    try:
        m = kc.get_iopub_msg(timeout=timeout)
    except Empty:
        return
    parent = m["parent_header"].get("msg_id")
    iopub.setdefault(parent, []).append({"msg_type": m["msg_type"], "content": m["content"]})
    if m["msg_type"] == "status" and m["content"].get("execution_state") == "idle":
        idle.add(parent)


def wait_reply(msg_id, timeout, channel="shell"):
    deadline = time.monotonic() + timeout
    while msg_id not in shell_replies:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no reply to {msg_id} in {timeout}s")
        try:
            m = kc.get_control_msg(timeout=min(left, 0.05)) if channel == "control" else kc.get_shell_msg(timeout=min(left, 0.05))
            shell_replies[m["parent_header"].get("msg_id")] = (m, time.monotonic())
        except Empty:
            pass
        pump_iopub(0)
    m, at = shell_replies.pop(msg_id)
    return {"msg_type": m["msg_type"], "content": m["content"], "received": at}


def wait_idle(msg_id, timeout):
    deadline = time.monotonic() + timeout
    while msg_id not in idle and time.monotonic() < deadline:
        pump_iopub(0.05)
    return iopub.pop(msg_id, [])


def send_raw(msg_type, content, channel="shell"):
    msg = kc.session.msg(msg_type, content)
    (kc.control_channel if channel == "control" else kc.shell_channel).send(msg)
    return msg["header"]["msg_id"]


def handle(req):
    op = req["op"]
    timeout = req.get("timeout", 30)
    if op == "kernel_info":
        return wait_reply(kc.kernel_info(), timeout)
    if op == "execute":
        mid = kc.execute(req["code"], stop_on_error=req.get("stop_on_error", True))
        r = wait_reply(mid, timeout)
        r["iopub"] = wait_idle(mid, timeout)
        return r
    if op == "execute_nowait":
        return {"msg_id": kc.execute(req["code"]), "sent": time.monotonic()}
    if op == "wait_execute":
        r = wait_reply(req["msg_id"], timeout)
        r["iopub"] = wait_idle(req["msg_id"], timeout)
        return r
    if op == "wait_stream":
        # waits, keeping what arrives, until the running cell prints a stream text holding `text`
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(x["msg_type"] == "stream" and req["text"] in x["content"]["text"] for x in iopub.get(req["msg_id"], [])):
                return {"at": time.monotonic()}
            pump_iopub(0.05)
        raise TimeoutError(f"no stream text {req['text']!r} in {timeout}s")
    if op == "complete":
        t = time.monotonic()
        r = wait_reply(kc.complete(req["code"], req.get("cursor_pos")), timeout)
        r["elapsed"] = time.monotonic() - t
        return r
    if op == "inspect":
        return wait_reply(kc.inspect(req["code"], req.get("cursor_pos"), req.get("detail_level", 0)), timeout)
    if op == "is_complete":
        return wait_reply(kc.is_complete(req["code"]), timeout)
    if op == "comm_info":
        return wait_reply(kc.comm_info(), timeout)
    if op == "history":
        return wait_reply(kc.history(hist_access_type="tail", n=req.get("n", 10)), timeout)
    if op == "raw":
        return wait_reply(send_raw(req["msg_type"], req.get("content", {}), req.get("channel", "shell")), timeout, req.get("channel", "shell"))
    if op == "interrupt":
        km.interrupt_kernel()
        return {"at": time.monotonic()}
    if op == "signal_interrupt":
        km.signal_kernel(signal.SIGINT)
        return {"at": time.monotonic()}
    if op == "bad_signature":
        # a request signed with the wrong key: the kernel must drop it and stay up
        forged = Session(key=b"not-the-key")
        forged.send(kc.shell_channel.socket, forged.msg("kernel_info_request", {}))
        return {}
    if op == "kernel_pid":
        return {"pid": km.provisioner.pid}
    if op == "heartbeat":
        return {"beating": kc.hb_channel.is_beating(), "alive": km.is_alive()}
    if op == "sleep":
        time.sleep(req["seconds"])
        return {}
    if op == "shutdown":
        km.shutdown_kernel(now=False)
        return {"alive": km.is_alive()}
    raise ValueError(f"unknown op {op}")


print(json.dumps({"ready": True, "kernel": kernel_name}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    try:
        out = {"ok": True, "result": handle(req)}
    except Exception as e:  # the test reads the failure instead of hanging
        out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out, default=str), flush=True)
    if req["op"] == "shutdown":
        break
kc.stop_channels()
if km.is_alive():
    km.shutdown_kernel(now=True)
sys.stdout.flush()
os._exit(0)  # skip jupyter_client's noisy finalizers at interpreter exit
