# The oracle for the Nebius 422 property test: seed 004's request models in real pydantic 2, rendered as FastAPI
# renders a RequestValidationError. Reads one JSON body per line on stdin, writes one JSON `detail` (or null) per line.
import json
import sys
from enum import Enum
from typing import Any, Dict, List, Optional, Union

from pydantic import BaseModel, Field, TypeAdapter, ValidationError


class SchemaPrimitiveType(str, Enum):
    string = 'string'
    integer = 'integer'
    boolean = 'boolean'
    float = 'float'
    double = 'double'
    json = 'json'
    null = 'null'


class SchemaOptionType(str, Enum):
    option = 'option'


class SchemaPrimitive(BaseModel):
    name: SchemaPrimitiveType


class SchemaOption(BaseModel):
    name: SchemaOptionType
    item: Union[SchemaPrimitive, 'SchemaOption']


class ColumnSchema(BaseModel):
    name: str
    type: Union[SchemaPrimitive, SchemaOption]


class CreateDatasetRequestUpload(BaseModel):
    name: str
    # `schema` shadows a BaseModel attribute: an alias keeps the wire name (and the error loc) as in the seed.
    schema_: List[ColumnSchema] = Field(alias='schema')
    folder: str
    rows: List[Dict[str, Any]]
    ai_project_id: Optional[str] = None


class CreateDatasetRequestS3(BaseModel):
    name: str
    folder: str
    s3_service_url: str
    s3_region: str
    s3_uri: str
    s3_key_id: str
    s3_secret_key: str
    ai_project_id: Optional[str] = None


adapter = TypeAdapter(Union[CreateDatasetRequestUpload, CreateDatasetRequestS3])

for line in sys.stdin:
    body = json.loads(line)
    try:
        # FastAPI validates the decoded body with from_attributes=True (hence model_attributes_type).
        adapter.validate_python(body, from_attributes=True)
        print('null')
    except ValidationError as e:
        detail = []
        for err in e.errors(include_url=False):
            item = {'type': err['type'], 'loc': ['body', *err['loc']], 'msg': err['msg'], 'input': err['input']}
            if 'ctx' in err:
                item['ctx'] = err['ctx']
            detail.append(item)
        print(json.dumps(detail))
    sys.stdout.flush()
