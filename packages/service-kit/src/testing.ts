export { startScript, type ScriptOptions, type RunningScript, type ScriptResult } from './start-script';
