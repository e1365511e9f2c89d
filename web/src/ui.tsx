// Small shared pieces of the pages: links that route without reloading,
// labelled fields that show the server's complaint about them, error
// boxes, state words and paging with the API's page tokens.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { explain, type Problem } from "./api.js";
import { Call_StateSchema, Proposal_StateSchema } from "./gen/kyodo/proposal/v1/proposal_service_pb.js";
import { labels } from "./labels.js";

export function navigate(path: string): void {
  window.history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

let fieldSeq = 0;

// A labelled input; `field` is the request's field path the server names
// in BadRequest (e.g. "proposal.requested_amount_yen").
export function Field(props: {
  label: string;
  field: string;
  problem?: Problem;
  hint?: string;
  children: (id: string, describedBy: string | undefined, invalid: boolean) => JSX.Element;
}) {
  const [id] = useState(() => `f${++fieldSeq}`);
  const complaint = props.problem?.fields[props.field];
  const describedBy = [props.hint ? `${id}-hint` : "", complaint ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && <span id={`${id}-hint`} class="hint">{props.hint}</span>}
      {props.children(id, describedBy, Boolean(complaint))}
      {complaint && (
        <span id={`${id}-error`} class="field-error" role="alert" data-field={props.field}>
          ⚠ {complaint}
        </span>
      )}
    </div>
  );
}

export function ProblemBox(props: { problem?: Problem }) {
  if (!props.problem) return null;
  return (
    <p class="problem" role="alert">
      ⚠ {props.problem.message}
    </p>
  );
}

export function Notice(props: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      ✓ {props.children}
    </p>
  );
}

export const callStateWords = labels(Call_StateSchema);

export const proposalStateWords = labels(Proposal_StateSchema);

// Loads a value with `load`, again when `deps` change; the error in words.
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setProblem(undefined);
    load().then(
      (v) => live && setValue(v),
      (e) => live && setProblem(explain(e)),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { value, problem, reload: () => setRound((r) => r + 1) };
}

// A list read page by page with the API's page tokens: `load` answers a
// page (its items, and whatever else the page carries) and the next token.
export function usePaged<P extends { next: string }>(
  load: (pageToken: string) => Promise<P>,
  deps: unknown[],
) {
  const [tokens, setTokens] = useState<string[]>([""]);
  const page = tokens.length - 1;
  const result = useLoad(() => load(tokens[page]), [...deps, page]);
  return {
    ...result,
    page,
    next: result.value?.next
      ? () => setTokens([...tokens, result.value!.next])
      : undefined,
    previous: page > 0 ? () => setTokens(tokens.slice(0, -1)) : undefined,
  };
}

export function Pager(props: { page: number; next?: () => void; previous?: () => void }) {
  if (!props.next && !props.previous) return null;
  return (
    <nav class="pager" aria-label="ページ送り">
      <button type="button" disabled={!props.previous} onClick={props.previous}>前のページ</button>
      <span>{props.page + 1} ページ目</span>
      <button type="button" disabled={!props.next} onClick={props.next}>次のページ</button>
    </nav>
  );
}
