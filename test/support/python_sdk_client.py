# The official PromptLayer Python SDK against Strata, run by test/python-sdk.test.ts when `import promptlayer` works:
# the wrapper (pl.openai.OpenAI(), pl.anthropic.Anthropic(), plain and streamed) against a fake provider, log_request
# with its defaults, track.*, group.create. Prints every body it posted to Strata and what the calls returned, as JSON.
import json
import os
import sys

import requests

BASE = os.environ["PL_BASE_URL"]
LLM = os.environ["LLM_URL"]
sent = []
_request = requests.Session.request


def recording_request(self, method, url, *args, **kwargs):
    response = _request(self, method, url, *args, **kwargs)
    if str(url).startswith(BASE):
        sent.append({"path": str(url)[len(BASE):], "status": response.status_code, "body": kwargs.get("json")})
    return response


requests.Session.request = recording_request

from promptlayer import PromptLayer  # noqa: E402

pl = PromptLayer(api_key=os.environ["PL_API_KEY"], base_url=BASE)
out = {}

OpenAI = pl.openai.OpenAI
client = OpenAI(api_key="sk-fake", base_url=f"{LLM}/v1", max_retries=0)
response, pl_id = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello from Python"}],
    temperature=0.3,
    pl_tags=["python"],
    return_pl_id=True,
)
out["chat"] = {"text": response.choices[0].message.content, "pl_id": pl_id}

text, streamed_id = "", None
for item in client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Stream from Python"}], stream=True, return_pl_id=True
):
    chunk, request_id = item
    if request_id is not None:
        streamed_id = request_id
    if chunk is not None and chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
out["chat_stream"] = {"text": text, "pl_id": streamed_id}

resp, resp_id = client.responses.create(model="gpt-4.1", input="Hi from Python", return_pl_id=True)
out["responses"] = {"text": resp.output_text, "pl_id": resp_id}

Anthropic = pl.anthropic.Anthropic
claude = Anthropic(api_key="sk-ant-fake", base_url=LLM, max_retries=0)
message, msg_id = claude.messages.create(
    model="claude-sonnet-4-5", max_tokens=50, messages=[{"role": "user", "content": "Bonjour"}], return_pl_id=True
)
out["anthropic"] = {"text": message.content[0].text, "pl_id": msg_id}

text, streamed_msg_id = "", None
for item in claude.messages.create(
    model="claude-sonnet-4-5", max_tokens=50, messages=[{"role": "user", "content": "Stream"}], stream=True, return_pl_id=True
):
    event, request_id = item
    if request_id is not None:
        streamed_msg_id = request_id
    if event is not None and getattr(event, "type", "") == "content_block_delta":
        text += event.delta.text
out["anthropic_stream"] = {"text": text, "pl_id": streamed_msg_id}

logged = pl.log_request(
    provider="openai",
    model="gpt-4o",
    input={"type": "chat", "messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}]},
    output={"type": "chat", "messages": [{"role": "assistant", "content": [{"type": "text", "text": "a"}]}]},
    request_start_time=1764590400.5,
    request_end_time=1764590401.25,
)
out["log_request"] = {"id": logged["id"] if logged else None}
group_id = pl.group.create()
out["group"] = group_id
out["track"] = {
    "metadata": pl.track.metadata(request_id=pl_id, metadata={"lang": "python"}),
    "score": pl.track.score(request_id=pl_id, score=90),
    "group": pl.track.group(request_id=pl_id, group_id=group_id),
}
print("RESULT " + json.dumps({"out": out, "sent": sent}, default=str))
sys.stdout.flush()
