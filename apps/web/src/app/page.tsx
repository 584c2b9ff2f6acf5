export default function Home() {
  return (
    <main>
      <h1>Baton</h1>
      <p>The bridge between chat threads and long-running agents is running.</p>
    </main>
  );
}
