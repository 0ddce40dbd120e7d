// A stand-in entry point for start-script tests: once it handles SIGTERM (exiting with the code
// given as first argument), it prints plain text and a pino-style JSON line.
const exitCode = Number(process.argv[2] ?? '0');
process.on('SIGTERM', () => {
  process.exit(exitCode);
});
console.log('plain text first');
console.log(JSON.stringify({ level: 30, msg: 'listening', port: Number(process.env.PORT) }));
setInterval(() => undefined, 1000);
