// The gateway's public surface (/public/v1/, docs/HTTP.md "Public
// results"), for readers who never sign in: plain GETs without a token,
// whose answers are the protos' JSON form, read here with the schemas
// generated from the protos (as the Connect clients of api.ts read theirs).
// A call that is not published answers 404 like no call at all.
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { errorFromJson } from "@connectrpc/connect/protocol-connect";
import {
  CallSchema,
  DecisionSchema,
  ListCallsResponseSchema,
  type Call,
  type Decision,
} from "./gen/kyodo/proposal/v1/proposal_service_pb.js";
import { ListProjectsResponseSchema, type Project } from "./gen/kyodo/project/v1/project_service_pb.js";

const base = "/public/v1/";

async function get(path: string): Promise<JsonValue | undefined> {
  const response = await fetch(base + path, { headers: { Accept: "application/json" } });
  if (response.status === 404) return undefined;
  const body = (await response.json()) as JsonValue;
  if (!response.ok) {
    throw errorFromJson(body, response.headers, new ConnectError(`HTTP ${response.status}`));
  }
  return body;
}

export async function publishedCalls(pageToken: string): Promise<{ items: Call[]; next: string }> {
  const query = pageToken ? `?page_token=${encodeURIComponent(pageToken)}` : "";
  const body = await get(`calls${query}`);
  if (body === undefined) throw new ConnectError("the public results are not served here");
  const list = fromJson(ListCallsResponseSchema, body, { ignoreUnknownFields: true });
  return { items: list.calls, next: list.nextPageToken ?? "" };
}

// The projects (協働事業), a page at a time, as any viewer may read them.
export async function publicProjects(pageToken: string): Promise<{ items: Project[]; next: string }> {
  const query = pageToken ? `?page_token=${encodeURIComponent(pageToken)}` : "";
  const body = await get(`projects${query}`);
  if (body === undefined) throw new ConnectError("the public projects are not served here");
  const list = fromJson(ListProjectsResponseSchema, body, { ignoreUnknownFields: true });
  return { items: list.projects, next: list.nextPageToken ?? "" };
}

// A published call and its results, or undefined when there is none.
export async function publishedResult(name: string): Promise<{ call: Call; decision: Decision } | undefined> {
  const body = (await get(name)) as { call: JsonValue; decision: JsonValue } | undefined;
  if (body === undefined) return undefined;
  return {
    call: fromJson(CallSchema, body.call, { ignoreUnknownFields: true }),
    decision: fromJson(DecisionSchema, body.decision, { ignoreUnknownFields: true }),
  };
}

// Where a reader without a token downloads the open data.
export function openDataUrl(file: string): string {
  return `${base}open-data/${file}`;
}
