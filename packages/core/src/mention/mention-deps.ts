import type { DispatchDeps } from "../dispatch/dispatch-deps";
import type { AccessPolicy } from "./access-policy";
import type { LinkingSettings } from "./link-request";

/** What handling a platform message needs, on top of dispatching. */
export interface MentionDeps extends DispatchDeps {
  newId(): string;
  /** Messages that stop the thread's running request. */
  stopWords: readonly string[];
  /** Who may dispatch; checked before anything of a message is stored. */
  access: AccessPolicy;
  /** Account linking; absent or not required: nobody is asked to link. */
  linking?: LinkingSettings;
}
