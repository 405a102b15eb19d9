import { StringDecoder } from 'node:string_decoder';
import type { ReadStream } from 'node:tty';
import { ModuleError } from '../errors/codes.js';

/**
 * Asks for secrets at a terminal without echoing them: the terminal is put in raw mode for
 * the answer and restored after, keys are read one by one (Backspace and Ctrl-U edit, Enter
 * ends, Ctrl-C or Ctrl-D on an empty line cancels). Text typed ahead is kept for the next question.
 */
export class HiddenPrompt {
  private pending = '';

  constructor(private readonly input: ReadStream, private readonly output: NodeJS.WritableStream) {}

  ask(question: string): Promise<string> {
    const { input, output } = this;
    // Echo off before the question shows: an answer typed as soon as it appears is never echoed.
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    output.write(question);
    const decoder = new StringDecoder('utf8');
    let typed = '';
    return new Promise((resolve, reject) => {
      const finish = (error: Error | null, rest: string): void => {
        input.off('data', onData);
        input.off('end', onEnd);
        input.pause();
        input.setRawMode(wasRaw);
        this.pending = rest;
        output.write('\n');
        if (error) reject(error);
        else resolve(typed);
      };
      const take = (text: string): boolean => {
        const chars = Array.from(text);
        for (const [i, ch] of chars.entries()) {
          const rest = chars.slice(i + 1).join('');
          if (ch === '\r' || ch === '\n') { finish(null, rest); return true; }
          if (ch === '\u0003' || (ch === '\u0004' && typed === '')) {
            finish(new ModuleError('INVALID_PARAMS', 'no passphrase: cancelled at the prompt', { field: 'passphrase' }), '');
            return true;
          }
          if (ch === '\u007f' || ch === '\b') typed = Array.from(typed).slice(0, -1).join('');
          else if (ch === '\u0015') typed = '';
          else if (ch === '\u0004') { finish(null, rest); return true; }
          else if (ch >= ' ') typed += ch;
        }
        return false;
      };
      const onData = (chunk: Buffer): void => { take(decoder.write(chunk)); };
      const onEnd = (): void => finish(new ModuleError('INVALID_PARAMS', 'no passphrase: the terminal closed at the prompt', { field: 'passphrase' }), '');
      const ahead = this.pending;
      this.pending = '';
      if (take(ahead)) return;
      input.on('data', onData);
      input.on('end', onEnd);
      input.resume();
    });
  }
}
