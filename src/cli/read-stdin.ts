// Reads a secret from standard input for --password-stdin: everything up to the end,
// without one trailing newline (so `echo pw |` and a file both work).

export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new Error('--password-stdin: standard input is empty');
  return password;
}
