// Calls the gateway's HTTP entry through clients generated from kyodo's
// protos by protoc-gen-es, over @connectrpc/connect-node's Connect
// transport (HTTP/1.1, JSON): run by run.sh for http_client_test, which
// starts the suite and passes the base URL, tokens and record names in the
// environment. Exits non-zero on the first failed check.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PartnerService } from "./gen/kyodo/partner/v1/partner_service_pb.js";
import { ProposalService, Proposal_State } from "./gen/kyodo/proposal/v1/proposal_service_pb.js";
import {
  ExportOpenDataRequest_Dataset,
  ExportOpenDataRequest_Format,
  Gateway,
} from "./gen/kyodo/gateway/v1/gateway_pb.js";
import { BadRequestSchema, ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function transport(token?: string) {
  const bearer: Interceptor = (next) => async (request) => {
    if (token) request.header.set("Authorization", `Bearer ${token}`);
    return next(request);
  };
  return createConnectTransport({
    baseUrl: env("KYODO_HTTP_BASE"),
    httpVersion: "1.1",
    interceptors: [bearer],
  });
}

let checks = 0;
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
  checks++;
}

async function expectError(call: () => Promise<unknown>, code: Code): Promise<ConnectError> {
  try {
    await call();
  } catch (e) {
    const error = ConnectError.from(e);
    check(error.code === code, `code ${Code[code]}, got ${Code[error.code]}: ${error.message}`);
    return error;
  }
  throw new Error(`expected ${Code[code]}, the call succeeded`);
}

async function main(): Promise<void> {
  const admin = transport(env("KYODO_TOKEN_ADMIN"));
  const applicant = transport(env("KYODO_TOKEN_APPLICANT"));
  const viewer = transport(env("KYODO_TOKEN_VIEWER"));
  const civicA = env("KYODO_CIVIC_A");

  // A list, with the generated types.
  const partners = await createClient(PartnerService, admin).listPartners({ pageSize: 50 });
  check(partners.partners.some((p) => p.name === civicA), "civic_a listed");

  // A creation; the answer is a typed message with its enum.
  const proposal = await createClient(ProposalService, applicant).createProposal({
    parent: env("KYODO_CALL_OPEN"),
    proposal: {
      applicant: civicA,
      title: "公園清掃の協働",
      issue: "公園の荒れ",
      plan: "毎月の清掃",
      requestedAmountYen: 80000n,
    },
  });
  check(proposal.state === Proposal_State.DRAFT, "a DRAFT proposal");
  check(proposal.title === "公園清掃の協働", "the title byte for byte");

  // An error with details: BadRequest names the field, ErrorInfo the reason.
  const invalid = await expectError(
    () =>
      createClient(PartnerService, admin).createPartner({
        partner: { nameKana: "なまえなし" },
      }),
    Code.InvalidArgument,
  );
  const badRequest = invalid.findDetails(BadRequestSchema);
  check(badRequest.length === 1, "one BadRequest detail");
  check(
    badRequest[0].fieldViolations.some((v) => v.field.startsWith("partner.")),
    `a partner field named: ${JSON.stringify(badRequest[0].fieldViolations)}`,
  );
  const info = invalid.findDetails(ErrorInfoSchema);
  check(info.length === 1 && info[0].domain === "kyodo.partner", "ErrorInfo from kyodo.partner");

  // Without a token; with a role that may not.
  await expectError(() => createClient(PartnerService, transport()).listPartners({}), Code.Unauthenticated);
  await expectError(
    () => createClient(PartnerService, viewer).deletePartner({ name: "partners/doesnotexist" }),
    Code.PermissionDenied,
  );

  // A gateway workflow, and the server-streaming export.
  const profile = await createClient(Gateway, admin).getPartnerProfile({ name: civicA });
  check(profile.partner?.name === civicA, "the profile's partner");
  const chunks: Uint8Array[] = [];
  for await (const chunk of createClient(Gateway, viewer).exportOpenData({
    format: ExportOpenDataRequest_Format.CSV,
    dataset: ExportOpenDataRequest_Dataset.PROJECTS,
  })) {
    chunks.push(chunk.data);
  }
  const csv = Buffer.concat(chunks);
  check(csv.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), "the CSV starts with a BOM");
  check(csv.toString("utf8").includes("\r\n"), "CRLF line ends");
  await expectError(async () => {
    for await (const _ of createClient(Gateway, transport()).exportOpenData({
      format: ExportOpenDataRequest_Format.CSV,
      dataset: ExportOpenDataRequest_Dataset.PROJECTS,
    })) {
      // nothing arrives
    }
  }, Code.Unauthenticated);

  console.log(`client: ${checks} checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
