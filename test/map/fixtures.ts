/** Hand-written OpenDRIVE fixtures whose geometry is known in closed form. */

const lanePair = (links = ''): string => `
      <laneSection s="0">
        <left><lane id="1" type="driving">${links}<width sOffset="0" a="3.5" b="0" c="0" d="0"/><roadMark sOffset="0" type="solid" width="0.12"/></lane></left>
        <center><lane id="0" type="none"><roadMark sOffset="0" type="broken" width="0.12"/></lane></center>
        <right><lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/><roadMark sOffset="0" type="solid" width="0.12"/></lane></right>
      </laneSection>`;

const oneLane = (id: number): string => `
      <laneSection s="0">
        ${id > 0 ? `<left><lane id="${id}" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></left>` : ''}
        <center><lane id="0" type="none"/></center>
        ${id < 0 ? `<right><lane id="${id}" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>` : ''}
      </laneSection>`;

/**
 * A T junction at x = 100..120: road 1 comes from the west (0,0)→(100,0), road 2 leaves east
 * (120,0)→(220,0), road 3 leaves north (110,10)→(110,110). Connecting roads: 10 straight
 * east (lane -1), 11 a left turn of radius 10 from road 1 into road 3 (lane -1), 12 straight
 * but carrying westbound traffic on its left lane 1, entered from road 2 at its end.
 */
export const T_JUNCTION = `<?xml version="1.0"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6" name="t"/>
  <road id="1" length="100" junction="-1">
    <link><successor elementType="junction" elementId="100"/></link>
    <planView><geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry></planView>
    <lanes>${lanePair()}</lanes>
  </road>
  <road id="2" length="100" junction="-1">
    <link><predecessor elementType="junction" elementId="100"/></link>
    <planView><geometry s="0" x="120" y="0" hdg="0" length="100"><line/></geometry></planView>
    <lanes>${lanePair()}</lanes>
  </road>
  <road id="3" length="100" junction="-1">
    <link><predecessor elementType="junction" elementId="100"/></link>
    <planView><geometry s="0" x="110" y="10" hdg="${Math.PI / 2}" length="100"><line/></geometry></planView>
    <lanes>${lanePair()}</lanes>
  </road>
  <road id="10" length="20" junction="100">
    <link><predecessor elementType="road" elementId="1" contactPoint="end"/><successor elementType="road" elementId="2" contactPoint="start"/></link>
    <planView><geometry s="0" x="100" y="0" hdg="0" length="20"><line/></geometry></planView>
    <lanes>${oneLane(-1).replace('type="driving">', 'type="driving"><link><predecessor id="-1"/><successor id="-1"/></link>')}</lanes>
  </road>
  <road id="11" length="${(Math.PI / 2) * 10}" junction="100">
    <link><predecessor elementType="road" elementId="1" contactPoint="end"/><successor elementType="road" elementId="3" contactPoint="start"/></link>
    <planView><geometry s="0" x="100" y="0" hdg="0" length="${(Math.PI / 2) * 10}"><arc curvature="0.1"/></geometry></planView>
    <lanes>${oneLane(-1).replace('type="driving">', 'type="driving"><link><predecessor id="-1"/><successor id="-1"/></link>')}</lanes>
  </road>
  <road id="12" length="20" junction="100">
    <link><predecessor elementType="road" elementId="1" contactPoint="end"/><successor elementType="road" elementId="2" contactPoint="start"/></link>
    <planView><geometry s="0" x="100" y="0" hdg="0" length="20"><line/></geometry></planView>
    <lanes>${oneLane(1).replace('type="driving">', 'type="driving"><link><predecessor id="1"/><successor id="1"/></link>')}</lanes>
  </road>
  <junction id="100" name="T">
    <connection id="0" incomingRoad="1" connectingRoad="10" contactPoint="start"><laneLink from="-1" to="-1"/></connection>
    <connection id="1" incomingRoad="1" connectingRoad="11" contactPoint="start"><laneLink from="-1" to="-1"/></connection>
    <connection id="2" incomingRoad="2" connectingRoad="12" contactPoint="end"><laneLink from="1" to="1"/></connection>
  </junction>
</OpenDRIVE>`;

/** One straight road along x with the given extra road children and lanes. */
export function singleRoad(options: { length?: number; geometry?: string; extra?: string; sections?: string }): string {
  const length = options.length ?? 100;
  return `<?xml version="1.0"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="7"/>
  <road id="1" length="${length}" junction="-1">
    <planView>${options.geometry ?? `<geometry s="0" x="0" y="0" hdg="0" length="${length}"><line/></geometry>`}</planView>
    ${options.extra ?? ''}
    <lanes>${options.sections ?? lanePair()}</lanes>
  </road>
</OpenDRIVE>`;
}
