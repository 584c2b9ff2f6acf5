import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SlackEmulatorError } from "../errors";
import {
  WORKSPACE_SNAPSHOT_VERSION,
  type WorkspaceModel,
  type WorkspaceSnapshot,
} from "./workspace-model";

/** Changes are written at most this often (a streamed answer changes the model many times). */
const SAVE_DELAY_MS = 200;

/**
 * The workspace kept in a JSON file, so the page shows the history after a restart and an old
 * thread can be continued (Baton's own store keeps its side). Loaded once at start-up; saved
 * shortly after each change, atomically (written aside, then renamed over the file).
 */
export function loadWorkspaceFile(path: string): WorkspaceSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SlackEmulatorError(
      "WORKSPACE_FILE_UNREADABLE",
      `${path} is not valid JSON: move it away to start with an empty workspace`,
      { cause: error },
    );
  }
  const snapshot = saved as Partial<WorkspaceSnapshot> | null;
  if (
    snapshot?.v !== WORKSPACE_SNAPSHOT_VERSION ||
    !Array.isArray(snapshot.users) ||
    !Array.isArray(snapshot.channels)
  ) {
    throw new SlackEmulatorError(
      "WORKSPACE_FILE_UNREADABLE",
      `${path} is not a version ${WORKSPACE_SNAPSHOT_VERSION} workspace: move it away to start afresh`,
    );
  }
  return snapshot as WorkspaceSnapshot;
}

export interface WorkspaceSaver {
  /** Writes a pending change now (at stop). */
  flush(): void;
  close(): void;
}

export function saveWorkspaceOnChange(path: string, model: WorkspaceModel): WorkspaceSaver {
  mkdirSync(dirname(path), { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    timer = undefined;
    const aside = `${path}.tmp`;
    writeFileSync(aside, JSON.stringify(model.snapshot()));
    renameSync(aside, path);
  };
  const off = model.onChange(() => {
    timer ??= setTimeout(write, SAVE_DELAY_MS);
  });
  return {
    flush() {
      if (!timer) return;
      clearTimeout(timer);
      write();
    },
    close() {
      off();
      this.flush();
    },
  };
}
