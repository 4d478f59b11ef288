/**
 * The PxL syntax tree. Only the node types Pixie's compiler accepts exist here (see
 * pixie-io/pixie src/carnot/planner/compiler/ast_visitor.cc); the parser rejects everything else, so the evaluator never has to
 * handle a construct Pixie would refuse. Every node carries its 1-based line and column so that
 * evaluation errors can point at the source like Pixie's compiler errors do.
 */

export interface Pos {
  line: number
  column: number
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '%'
export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>='

export type Expr =
  | NameExpr
  | NumberExpr
  | StringExpr
  | AttributeExpr
  | SubscriptExpr
  | CallExpr
  | BinOpExpr
  | CompareExpr
  | BoolOpExpr
  | UnaryOpExpr
  | ListExpr
  | TupleExpr
  | DictExpr

export interface NameExpr extends Pos {
  type: 'Name'
  id: string
}

export interface NumberExpr extends Pos {
  type: 'Number'
  /** Python int literals become bigint (int64), float literals number. */
  value: bigint | number
}

export interface StringExpr extends Pos {
  type: 'Str'
  value: string
}

export interface AttributeExpr extends Pos {
  type: 'Attribute'
  object: Expr
  attr: string
  /** Position of the attribute name, for "no attribute" errors. */
  attrPos: Pos
}

export interface SubscriptExpr extends Pos {
  type: 'Subscript'
  object: Expr
  index: Expr
}

export interface Keyword extends Pos {
  name: string
  value: Expr
}

export interface CallExpr extends Pos {
  type: 'Call'
  func: Expr
  args: Expr[]
  keywords: Keyword[]
}

export interface BinOpExpr extends Pos {
  type: 'BinOp'
  op: BinaryOperator
  left: Expr
  right: Expr
}

export interface CompareExpr extends Pos {
  type: 'Compare'
  op: CompareOperator
  left: Expr
  right: Expr
}

export interface BoolOpExpr extends Pos {
  type: 'BoolOp'
  op: 'and' | 'or'
  values: Expr[]
}

export interface UnaryOpExpr extends Pos {
  type: 'UnaryOp'
  op: 'not' | '-'
  operand: Expr
}

export interface ListExpr extends Pos {
  type: 'List'
  elements: Expr[]
}

export interface TupleExpr extends Pos {
  type: 'Tuple'
  elements: Expr[]
}

export interface DictExpr extends Pos {
  type: 'Dict'
  keys: Expr[]
  values: Expr[]
}

export type Stmt = ImportStmt | ExprStmt | AssignStmt | FunctionDefStmt | ReturnStmt

export interface ImportStmt extends Pos {
  type: 'Import'
  module: string
  alias: string
}

export interface ExprStmt extends Pos {
  type: 'Expr'
  expr: Expr
}

export interface AssignStmt extends Pos {
  type: 'Assign'
  /** Name, Attribute (df.col) or Subscript (df['col']); the parser rejects other targets. */
  target: NameExpr | AttributeExpr | SubscriptExpr
  value: Expr
}

export interface Param extends Pos {
  name: string
  /** The annotation expression, e.g. Name 'str' or Attribute px.Service; absent when omitted. */
  annotation?: Expr
}

export interface FunctionDefStmt extends Pos {
  type: 'FunctionDef'
  name: string
  params: Param[]
  body: Stmt[]
}

export interface ReturnStmt extends Pos {
  type: 'Return'
  value?: Expr
}

export interface Module {
  body: Stmt[]
}
