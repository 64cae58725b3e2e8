/**
 * One ONNX graph of a generator pack with its bindings: feeds each input from a named value (or a
 * constant fill), converts it to the element type the graph declares, runs, and names the outputs.
 */
import path from 'node:path';
import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { CuebankError } from '../../errors';
import type { FillSpec, GraphSpec, SymbolicDim } from './manifest';
import { filled, toType, type Value } from './tensors';

/**
 * ONNX Runtime's intra-op threads spin-wait after each run by default; between sampler steps the JS
 * thread does the sampler arithmetic and would compete with them on a small machine. Idle threads sleep.
 */
const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

export type DimValues = Record<SymbolicDim, number>;

/** Looks a value up by name; throws when it does not exist in this stage. */
export type Lookup = (name: string) => Value;

export class LoadedGraph {
  private readonly inputTypes = new Map<string, string>();

  private constructor(
    readonly role: string,
    readonly spec: GraphSpec,
    private readonly session: InferenceSession,
  ) {
    for (const m of session.inputMetadata ?? []) if (m.isTensor) this.inputTypes.set(m.name, m.type);
  }

  static async load(packDir: string, packId: string, role: string, spec: GraphSpec, executionProviders: string[]): Promise<LoadedGraph> {
    const file = path.join(packDir, ...spec.file.split('/'));
    const session = await InferenceSession.create(file, { ...SESSION_OPTIONS, executionProviders });
    const graph = new LoadedGraph(role, spec, session);
    try {
      graph.checkIo(packId);
    } catch (err) {
      await session.release().catch(() => undefined);
      throw err;
    }
    return graph;
  }

  /** Every graph input bound, every bound name and mapped output present. */
  private checkIo(packId: string): void {
    const { inputNames, outputNames } = this.session;
    const bound = Object.keys(this.spec.inputs);
    const problems = [
      ...bound.filter((n) => !inputNames.includes(n)).map((n) => `has no input "${n}"`),
      ...inputNames.filter((n) => !bound.includes(n)).map((n) => `input "${n}" is not bound in cuebank.json`),
      ...Object.keys(this.spec.outputs)
        .filter((n) => !outputNames.includes(n))
        .map((n) => `has no output "${n}"`),
    ];
    if (problems.length) {
      throw new CuebankError(
        'model_error',
        `Generator pack "${packId}": ${this.spec.file} (${this.role}) ${problems.slice(0, 3).join('; ')} ` +
          `(its inputs: ${inputNames.join(', ')}; outputs: ${outputNames.join(', ')})`,
      );
    }
  }

  /** Does an input of this graph read the value `name`? */
  reads(name: string): boolean {
    return Object.values(this.spec.inputs).includes(name);
  }

  async run(lookup: Lookup, dims: DimValues): Promise<Map<string, Value>> {
    const feeds: Record<string, Tensor> = {};
    for (const [input, binding] of Object.entries(this.spec.inputs)) {
      const value = typeof binding === 'string' ? lookup(binding) : fill(binding, dims);
      const type = this.inputTypes.get(input);
      feeds[input] = type ? toType(value, type) : value;
    }
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await this.session.run(feeds, Object.keys(this.spec.outputs));
    } catch (err) {
      const shapes = Object.entries(feeds)
        .map(([k, v]) => `${k} [${v.dims.join(', ')}] ${v.type}`)
        .join(', ');
      throw new CuebankError('model_error', `${this.spec.file} (${this.role}) failed with ${shapes}: ${(err as Error).message.split('\n')[0]}`, {
        cause: err,
      });
    }
    const out = new Map<string, Value>();
    for (const [output, name] of Object.entries(this.spec.outputs)) out.set(name, results[output] as Tensor);
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function fill(spec: FillSpec, dims: DimValues): Value {
  return filled(
    spec.fill,
    spec.shape.map((d) => (typeof d === 'number' ? d : dims[d])),
  );
}
