// A stand-in entry point for start-script tests: prints plain text and pino-style JSON, then
// exits with the code given as first argument once it receives SIGTERM.
const exitCode = Number(process.argv[2] ?? '0');
console.log('plain text first');
console.log(JSON.stringify({ level: 30, msg: 'listening', port: Number(process.env.PORT) }));
process.on('SIGTERM', () => {
  process.exit(exitCode);
});
setInterval(() => undefined, 1000);
