// The Lambda permission stage of the change runner (DESIGN §4). A change says which API its state
// holds and which integrations it repairs; the runner reads, once per plan, the policies its API
// Gateway steps depend on and puts the permission steps around those steps: the statements the
// API will need before them, Gatewire's statements nothing needs any more after them.
import type { ApiShape } from '../domain/api-projection.js';
import type { PlanStep } from '../domain/plan.js';
import type { PermissionPlanner, PermissionPlanOptions, PermissionReadState, PolicyPrefetch } from './permission-planner.js';

export interface PermissionStage<State> {
  /** The API as `state` holds it; undefined: nothing to wire (what the change is about is gone). */
  api(state: State): ApiShape | undefined;
  /** Integrations whose statements the change repairs even where its steps do not touch them. */
  alsoCheck?(state: State): readonly (string | undefined)[];
  /** Starts reading, alongside the state, a policy the plan will need (PermissionPlanner.prefetch). */
  prefetch?(): Promise<PolicyPrefetch>;
  /**
   * Called once the policies are read for planning: a fact the change took from the cache that
   * those reads found wrong (a function gone) is looked up again, and the change refused if need be.
   */
  revalidate?(): Promise<void>;
  /** For a state that keeps the policies it was planned on (in its record, for its after-state). */
  keep?: PolicyKeeping<State>;
}

/** Where a state keeps what the stage read. */
export interface PolicyKeeping<State> {
  policiesOf(state: State): PermissionReadState | undefined;
  withPolicies(state: State, policies: PermissionReadState): State;
}

/** The keeping of a state that holds the stage's read as `permissions`. */
export function keptAsPermissions<State extends { permissions?: PermissionReadState }>(): PolicyKeeping<State> {
  return { policiesOf: (state) => state.permissions, withPolicies: (state, permissions) => ({ ...state, permissions }) };
}

export type PermissionStageRunner = ReturnType<typeof createPermissionStage>;

export function createPermissionStage(planner: PermissionPlanner) {
  return {
    /**
     * Starts the stage's read-ahead alongside the state's read. Its failure waits for the stage
     * (a state read failing first wins), rather than ending the process as an unhandled rejection.
     */
    prefetch<State>(stage: PermissionStage<State> | undefined): Promise<PolicyPrefetch> | undefined {
      const prefetched = stage?.prefetch?.();
      prefetched?.catch(() => undefined);
      return prefetched;
    },

    /**
     * The whole plan: the change's API Gateway steps with their permission steps around them, and
     * the state with the policies it was planned on (when it keeps them).
     */
    async plan<State>(
      apiId: string,
      stage: PermissionStage<State> | undefined,
      state: State,
      gatewaySteps: PlanStep[],
      prefetched: Promise<PolicyPrefetch> | undefined,
      options: PermissionPlanOptions,
    ): Promise<{ state: State; steps: PlanStep[] }> {
      const api = stage?.api(state);
      if (!stage || !api) return { state, steps: gatewaySteps };
      const read = await planner.read(apiId, api, gatewaySteps, stage.alsoCheck?.(state) ?? [], await prefetched, true);
      await stage.revalidate?.();
      const { adds, removes } = planner.plan(apiId, read.touched, read.state, options);
      return { state: stage.keep ? stage.keep.withPolicies(state, read.state) : state, steps: [...adds, ...gatewaySteps, ...removes] };
    },

    /**
     * The state after a change with the policies it keeps: read (without the stage facts, which
     * only decide what a plan removes) unless it has them already, built from the writes' answers.
     */
    async after<State>(apiId: string, stage: PermissionStage<State> | undefined, state: State, prefetched: Promise<PolicyPrefetch> | undefined): Promise<State> {
      const api = stage?.api(state);
      if (!stage?.keep || !api || stage.keep.policiesOf(state)) return state;
      const read = await planner.read(apiId, api, [], stage.alsoCheck?.(state) ?? [], await prefetched, false);
      return stage.keep.withPolicies(state, read.state);
    },
  };
}
