// Chat messages as role bubbles (system, user, assistant, tool) with tool calls and tool results, for request-log
// input/output and messages-style dataset cells.
import type { ChatMessage } from '../lib/chat';

export function ChatMessages({ messages, label }: { messages: ChatMessage[]; label?: string }) {
  return (
    <ol className="chat" aria-label={label ?? 'Messages'}>
      {messages.map((m, i) => (
        <li
          key={i}
          className={`message chat-msg chat-${/^(system|user|assistant|tool|developer|completion)$/.test(m.role) ? m.role : 'other'}`}
        >
          <div className="chat-role">
            {m.role}
            {m.name ? <span className="muted"> · {m.name}</span> : null}
            {m.toolCallId ? <span className="muted"> · result of {m.toolCallId}</span> : null}
          </div>
          {m.text ? <pre className="chat-text">{m.text}</pre> : null}
          {m.toolCalls.map((c, j) => (
            <div key={j} className="chat-tool-call">
              <div className="chat-tool-name">
                <span aria-hidden="true">ƒ</span> {c.name}
                {c.id ? <span className="muted"> · {c.id}</span> : null}
              </div>
              <pre>{c.args}</pre>
            </div>
          ))}
        </li>
      ))}
    </ol>
  );
}
