// e2e client: node client.mjs openai URL PROMPT N   |   node client.mjs sigterm URL PROMPT SERVER_PID
import http from "node:http";
import OpenAI from "openai";

const [mode, url, prompt, arg] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 60000 });
const check = (cond, what) => {
  if (!cond) {
    console.error(`check failed: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
};

async function waitReady() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server never became ready");
}

async function openaiChecks(n) {
  const models = await client.models.list();
  check(models.data[0].id === "stories260K", "models.list names stories260K");

  const chat = await client.chat.completions.create({
    model: "stories260K",
    messages: [{ role: "user", content: "Tell me a story" }],
    max_tokens: 16,
    temperature: 0,
  });
  check(chat.choices[0].message.role === "assistant", "chat: assistant message");
  check(typeof chat.choices[0].message.content === "string" && chat.choices[0].message.content.length > 0, "chat: content");
  check(["stop", "length"].includes(chat.choices[0].finish_reason), "chat: finish_reason");
  check(chat.usage.completion_tokens > 0 && chat.usage.total_tokens === chat.usage.prompt_tokens + chat.usage.completion_tokens, "chat: usage");

  const stream = await client.chat.completions.create({
    model: "stories260K",
    messages: [{ role: "user", content: "Tell me a story" }],
    max_tokens: 16,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "", finish = null, role = null, usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (!chunk.choices.length) continue;
    const c = chunk.choices[0];
    if (c.delta.role) role = c.delta.role;
    if (c.delta.content) text += c.delta.content;
    if (c.finish_reason) finish = c.finish_reason;
  }
  check(role === "assistant", "stream: first delta has the role");
  check(text === chat.choices[0].message.content, "stream: same greedy text as the whole response");
  check(finish === chat.choices[0].finish_reason, "stream: final finish_reason");
  check(usage && usage.completion_tokens === chat.usage.completion_tokens, "stream: usage chunk");

  const completion = await client.completions.create({ model: "stories260K", prompt, max_tokens: n, temperature: 0 });
  const got = completion.choices[0].text;
  console.log(`completion: [${got}]`);
  let expected = process.env.EXPECTED;
  if (!expected) {
    const again = await client.completions.create({ model: "stories260K", prompt, max_tokens: n, temperature: 0 });
    expected = again.choices[0].text;
  }
  check(got === expected, "greedy completion equals the reference");
  check(completion.usage.completion_tokens <= n, "completion: usage within max_tokens");
}

async function sigtermDuringStream(pid) {
  const stream = await client.completions.create({
    model: "stories260K",
    prompt,
    max_tokens: 1500,
    temperature: 0,
    stream: true,
  });
  let pieces = 0, finish = null, signalled = false;
  for await (const chunk of stream) {
    pieces++;
    if (!signalled) {
      process.kill(Number(pid), "SIGTERM");  // mid-stream
      signalled = true;
    }
    if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
  }
  check(signalled, "SIGTERM sent during the stream");
  check(pieces > 1, `stream delivered ${pieces} chunks`);
  check(finish !== null, `stream ended with a final chunk (finish_reason ${finish})`);
  // The server no longer accepts connections (a fresh one: fetch would reuse a pooled socket).
  const refused = await new Promise((resolve) => {
    const req = http.get(`${url}/health`, { agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on("error", () => resolve(true));
    req.setTimeout(5000, () => {
      req.destroy();
      resolve(false);
    });
  });
  check(refused, "new connections are refused after SIGTERM");
}

await waitReady();
if (mode === "openai") await openaiChecks(Number(arg));
else if (mode === "sigterm") await sigtermDuringStream(arg);
else throw new Error(`unknown mode ${mode}`);
