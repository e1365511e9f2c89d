// Sign-in with OpenID Connect, authorization code + PKCE (oidc-client-ts),
// against the provider the gateway names in /console-config.json. The
// session lives in sessionStorage (gone with the tab). The role, ward,
// reviewer and partner claims of the access token choose what the pages
// offer; the services check the same token and decide.
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import { setToken } from "./api.js";

export interface Who {
  name: string;
  role: string; // admin, ward_staff, reviewer, applicant, viewer
  ward?: string;
  reviewer?: string;
  partner?: string;
}

let manager: UserManager | undefined;

export async function startAuth(): Promise<void> {
  const response = await fetch("/console-config.json");
  const config = (await response.json()) as { issuer: string; clientId: string };
  if (!config.issuer) return; // no provider configured: public pages only
  manager = new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${window.location.origin}/callback`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: "code",
    scope: "openid profile kyodo",
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
}

function claims(accessToken: string): Record<string, unknown> {
  const part = accessToken.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function whoOf(user: User | null): Who | undefined {
  if (!user || user.expired) return undefined;
  setToken(user.access_token);
  const c = claims(user.access_token);
  return {
    name: String(user.profile.name ?? user.profile.sub),
    role: String(c.role ?? ""),
    ward: c.ward as string | undefined,
    reviewer: c.reviewer as string | undefined,
    partner: c.partner as string | undefined,
  };
}

export async function currentUser(): Promise<Who | undefined> {
  if (!manager) return undefined;
  if (window.location.pathname === "/callback") {
    const user = await manager.signinRedirectCallback();
    const back = (user.state as string | undefined) ?? "/";
    window.history.replaceState(null, "", back);
    return whoOf(user);
  }
  return whoOf(await manager.getUser());
}

export async function signIn(): Promise<void> {
  await manager?.signinRedirect({ state: window.location.pathname });
}

export async function signOut(): Promise<void> {
  setToken(undefined);
  await manager?.removeUser();
  window.location.assign("/");
}

export function canSignIn(): boolean {
  return manager !== undefined;
}
