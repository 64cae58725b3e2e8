/**
 * Named values of one stage (conditioning for a prompt, or one denoiser step), with the manifest's
 * derived values computed on first use and kept in the outermost stage that has everything they need:
 * cross_attn_cond is built once per prompt, not once per step.
 */
import { CuebankError } from '../../errors';
import type { DerivedSpec } from './manifest';
import { concat, maskTokens, reshape, type Value } from './tensors';

export class Scope {
  constructor(
    private readonly derived: Readonly<Record<string, DerivedSpec>>,
    private readonly values = new Map<string, Value>(),
    private readonly parent?: Scope,
  ) {}

  set(name: string, value: Value): this {
    this.values.set(name, value);
    return this;
  }

  child(values: Map<string, Value>): Scope {
    return new Scope(this.derived, values, this);
  }

  tryGet(name: string): Value | undefined {
    const own = this.values.get(name);
    if (own) return own;
    const inherited = this.parent?.tryGet(name);
    if (inherited) return inherited;
    const d = this.derived[name];
    if (!d) return undefined;
    const deps = ('concat' in d ? d.concat : 'reshape' in d ? [d.reshape] : [d.maskTokens, d.mask]).map((n) => this.tryGet(n));
    if (deps.some((v) => !v)) return undefined;
    const inputs = deps as Value[];
    const value =
      'concat' in d ? concat(inputs, d.axis, name) : 'reshape' in d ? reshape(inputs[0], d.shape, name) : maskTokens(inputs[0], inputs[1], name);
    this.values.set(name, value);
    return value;
  }

  get = (name: string): Value => {
    const v = this.tryGet(name);
    if (!v) throw new CuebankError('model_error', `The generator pack has no value "${name}" at this point`);
    return v;
  };
}
