/** The console's few styles, inlined: no asset pipeline, no remote fonts. */
export const CONSOLE_CSS = `
.console { max-width: 1100px; font-size: 14px; }
.console table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
.console th, .console td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; }
.console code { font-size: 12px; }
.console .counts span { display: inline-block; margin-right: 1rem; padding: 2px 8px; border-radius: 4px; background: #eef; }
.console .stuck { color: #a00; font-weight: 600; }
.console .banner { padding: 8px 12px; background: #efe; border: 1px solid #9c9; margin: 1rem 0; }
.console .confirm { padding: 12px; background: #fff4e5; border: 1px solid #e0a040; margin: 1rem 0; }
.console form.inline { display: inline; margin-right: 0.5rem; }
.console button { padding: 4px 10px; cursor: pointer; }
.console button.danger { background: #c33; color: white; border: 1px solid #900; }
`;

export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}
