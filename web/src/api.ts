// kyodo's API for the pages: clients generated from the protos
// (protoc-gen-es, web/build.sh) over @connectrpc/connect-web's Connect
// transport to the HTTP entry that served this page; the bearer token of
// the signed-in person on every call. No request is written by hand.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Gateway } from "./gen/kyodo/gateway/v1/gateway_pb.js";
import { PartnerService } from "./gen/kyodo/partner/v1/partner_service_pb.js";
import { ProjectService } from "./gen/kyodo/project/v1/project_service_pb.js";
import { ProposalService, RuleFailure_RuleSchema } from "./gen/kyodo/proposal/v1/proposal_service_pb.js";
import { BadRequestSchema, ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import { ErrorReasonSchema } from "./gen/kyodo/type/v1/error_reason_pb.js";
import { explanationsByName, labelsByName } from "./labels.js";

let bearer: string | undefined;
export function setToken(token: string | undefined): void {
  bearer = token;
}
export function token(): string | undefined {
  return bearer;
}

const auth: Interceptor = (next) => async (request) => {
  if (bearer) request.header.set("Authorization", `Bearer ${bearer}`);
  return next(request);
};

const transport = createConnectTransport({
  baseUrl: window.location.origin,
  interceptors: [auth],
});

export const proposals = createClient(ProposalService, transport);
export const partners = createClient(PartnerService, transport);
export const projects = createClient(ProjectService, transport);
export const gateway = createClient(Gateway, transport);

// What the server said, in words for the page: the message, the rule
// (ErrorInfo.reason) and each field's complaint (BadRequest field paths).
export interface Problem {
  message: string;
  reason?: string;
  fields: Record<string, string>;
}

// A declared reason's explanation in the protos
// (kyodo.type.v1.ErrorReason, (kyodo.type.v1.explanation)), so the console
// and kyodoctl say the same words.
const reasonWords = explanationsByName(ErrorReasonSchema);

const codeWords: Partial<Record<Code, string>> = {
  [Code.Unauthenticated]: "サインインが必要です(有効期限切れの場合はもう一度サインインしてください)。",
  [Code.PermissionDenied]: "この操作の権限がありません。",
  [Code.NotFound]: "見つかりません。",
  [Code.Unavailable]: "サービスに接続できません。しばらくしてからもう一度お試しください。",
};

export function explain(error: unknown): Problem {
  const e = ConnectError.from(error);
  const info = e.findDetails(ErrorInfoSchema)[0];
  const fields: Record<string, string> = {};
  for (const bad of e.findDetails(BadRequestSchema)) {
    for (const v of bad.fieldViolations) fields[v.field] = v.description;
  }
  const words = (info && reasonWords[info.reason]) || codeWords[e.code];
  const callId = info?.metadata["call_id"];
  return {
    message: `${words ?? "エラー"} (${e.rawMessage}${callId ? `、問い合わせ番号 ${callId}` : ""})`,
    reason: info?.reason,
    fields,
  };
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

// Words for the screening rules: RuleFailure.rule holds the name of a
// RuleFailure.Rule, whose words are in the protos.
export const ruleWords: Record<string, string> = labelsByName(RuleFailure_RuleSchema);
