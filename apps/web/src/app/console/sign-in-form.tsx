/** The token is posted in a form body, never put in a URL. */
export function SignInForm({ failed }: { failed: boolean }) {
  return (
    <form method="post" action="/api/internal/operator/session" id="sign-in">
      <h2>Sign in</h2>
      {failed ? <p className="stuck">That token is not the operator token.</p> : null}
      <label>
        Operator token{" "}
        <input type="password" name="token" id="token" autoComplete="current-password" required />
      </label>{" "}
      <button type="submit">Sign in</button>
    </form>
  );
}
