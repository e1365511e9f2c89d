// Enum values in words. Every value a person reads carries its words in the
// protos, in the (kyodo.type.v1.label) option (protos/kyodo/type/v1/label.proto);
// kyodoctl reads the same option (common/text/enum_label.h), so a state has
// one name on every screen, and a value added to a proto brings its words.
import { getOption, type DescEnum } from "@bufbuild/protobuf";
import { explanation, label } from "./gen/kyodo/type/v1/label_pb.js";

// The words of every value of `e` by number; a value without a label falls
// back to its name.
export function labels(e: DescEnum): Record<number, string> {
  const out: Record<number, string> = {};
  for (const v of e.values) out[v.number] = getOption(v, label) || v.name;
  return out;
}

// The same by value name, for fields that hold an enum value's name as a
// string (RuleFailure.rule holds a RuleFailure.Rule name).
export function labelsByName(e: DescEnum): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of e.values) out[v.name] = getOption(v, label) || v.name;
  return out;
}

// The explanation of each value of `e` that has one, by value name: an
// error reason's sentence (ErrorInfo.reason holds an ErrorReason name).
export function explanationsByName(e: DescEnum): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of e.values) {
    const words = getOption(v, explanation);
    if (words) out[v.name] = words;
  }
  return out;
}
